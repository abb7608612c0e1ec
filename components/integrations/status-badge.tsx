import type { TSyncStatus } from "@/lib/integrations/sync-status";

const STYLES: Record<TSyncStatus, string> = {
  Pending: "bg-slate-100 text-slate-700",
  Running: "bg-blue-100 text-blue-800",
  Succeeded: "bg-green-100 text-green-800",
  Failed: "bg-red-100 text-red-800",
  Paused: "bg-amber-100 text-amber-800",
};

export function StatusBadge({ status }: { status: TSyncStatus }) {
  return <span className={`inline-flex rounded-full px-2.5 py-0.5 text-xs font-semibold ${STYLES[status]}`}>{status}</span>;
}
