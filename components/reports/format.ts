/** Display helpers shared by the dashboard, logs and reports (times in UTC, like the schedule). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function jobStatusLabel(status: string): string {
  return { queued: "Queued", pending: "Pending", running: "Running", succeeded: "Succeeded", failed: "Failed", stopped: "Stopped" }[status] ?? status;
}

/** What a job did: job_runs.kind in words. */
export function jobKindLabel(kind: string): string {
  return { extract: "Extraction", verify: "Verify", repair: "Repair" }[kind] ?? kind;
}

/** How a job started; a manual Verify or Repair was its own button, not Run Extraction Now. */
export function triggerLabel(trigger: string, kind = "extract"): string {
  if (trigger === "manual" && kind !== "extract") return `${jobKindLabel(kind)} button`;
  return { schedule: "Scheduled", manual: "Run Extraction Now", test: "Test" }[trigger] ?? trigger;
}

export const JOB_STATUS_STYLE: Record<string, string> = {
  queued: "bg-slate-100 text-slate-700",
  running: "bg-blue-100 text-blue-800",
  succeeded: "bg-green-100 text-green-800",
  failed: "bg-red-100 text-red-800",
  stopped: "bg-amber-100 text-amber-800",
  pending: "bg-slate-100 text-slate-700",
};

// Shared with lib/ (job errors name tables the same way).
export { tableLabel } from "@/lib/reports/table-label";
