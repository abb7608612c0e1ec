import Link from "next/link";
import { parseStoredReport } from "@/lib/source/prerequisites/types";

/**
 * The prerequisite report's verdict on every tab of an integration, so what Check and Save found is in
 * view right after saving; the full report with fixes lives on the Settings tab.
 */
export function ReportBanner({ integrationId, lastReport }: { integrationId: string; lastReport: unknown }) {
  const report = parseStoredReport(lastReport);
  if (!report) return null;
  const failed = report.items.filter((i) => i.status === "fail");
  const warned = report.items.filter((i) => i.status === "warn");
  if (failed.length === 0 && warned.length === 0) {
    return (
      <p role="status" className="rounded-md border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-800">
        Setup checks: all passed. Log-based Replication is ready.
      </p>
    );
  }
  const blocksAll = failed.some((i) => !i.logBasedOnly);
  const tone = failed.length ? "border-amber-200 bg-amber-50 text-amber-900" : "border-slate-200 bg-white text-slate-700";
  return (
    <p role="status" className={`rounded-md border px-3 py-2 text-sm ${tone}`}>
      Setup checks: {failed.length} failed, {warned.length} warning{warned.length === 1 ? "" : "s"}
      {failed.length ? ` (${failed.map((i) => i.title).join(", ")})` : ""}.{" "}
      {failed.length && !blocksAll ? "Only Log-based Replication is blocked until they are fixed. " : ""}
      <Link href={`/integrations/${integrationId}/settings`} className="font-semibold underline">
        See the report and the fixes
      </Link>
    </p>
  );
}
