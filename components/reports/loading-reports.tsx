import Link from "next/link";
import type { TReportRange, TTableLoadRow, TTableSummary } from "@/lib/reports/loading";
import { REPORT_RANGES } from "@/lib/reports/loading";
import { formatCount, formatTime, JOB_STATUS_STYLE, jobStatusLabel, tableLabel } from "./format";
import { VerificationVerdict } from "./verification";

const BOOKMARK_UNAVAILABLE = "Bookmark Unavailable";

export function RangePicker({ base, range, table }: { base: string; range: TReportRange; table?: string }) {
  return (
    <nav aria-label="Time range" className="flex gap-1 rounded-md bg-slate-100 p-1 text-sm">
      {(Object.keys(REPORT_RANGES) as TReportRange[]).map((r) => {
        const qs = new URLSearchParams({ range: r, ...(table ? { table } : {}) });
        return (
          <Link key={r} href={`${base}?${qs}`} aria-current={r === range ? "page" : undefined} className={`rounded px-3 py-1 ${r === range ? "bg-white font-semibold shadow-sm" : "text-slate-600 hover:text-slate-900"}`}>
            {REPORT_RANGES[r].label}
          </Link>
        );
      })}
    </nav>
  );
}

/** A table load's status; a failed one says why. */
function LoadStatus({ status, error }: { status: string | null; error: string | null }) {
  if (!status) return <span className="text-slate-500">—</span>;
  return (
    <>
      <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${JOB_STATUS_STYLE[status] ?? ""}`}>{jobStatusLabel(status)}</span>
      {status === "failed" && error ? <p className="mt-1 max-w-md text-xs text-red-700">{error}</p> : null}
    </>
  );
}

/** The all-tables view. */
export function AllTablesTable({ base, range, rows }: { base: string; range: TReportRange; rows: TTableSummary[] }) {
  if (rows.length === 0) {
    return <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No tables are selected or loaded yet.</p>;
  }
  return (
    <table aria-label="All tables" className="w-full overflow-hidden rounded-xl border border-slate-200 bg-white text-sm shadow-sm">
      <thead className="bg-slate-50 text-left text-slate-600">
        <tr>
          <th className="px-4 py-2 font-medium">Tables to Replicate</th>
          <th className="px-4 py-2 font-medium">Last Status</th>
          <th className="px-4 py-2 font-medium">Max Replication Bookmark Value</th>
          <th className="px-4 py-2 font-medium">Time Extracted</th>
          <th className="px-4 py-2 text-right font-medium">Rows Loaded</th>
          <th className="px-4 py-2 font-medium">Verify</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.tableKey} className="border-t border-slate-100 align-top">
            <td className="px-4 py-2">
              <Link href={`${base}?${new URLSearchParams({ range, table: r.tableKey })}`} className="font-mono text-indigo-700 hover:underline" title={r.tableKey}>
                {tableLabel(r.tableKey)}
              </Link>
              {r.destinationTable ? <span className="ml-2 text-xs text-slate-500">→ {r.destinationTable}</span> : null}
              {!r.tracked ? <span className="ml-2 text-xs text-slate-500">(no longer tracked)</span> : null}
            </td>
            <td className="px-4 py-2">
              <LoadStatus status={r.lastStatus} error={r.lastError} />
            </td>
            <td className="px-4 py-2 font-mono text-xs">{r.maxBookmark ?? <span className="text-slate-500">{BOOKMARK_UNAVAILABLE}</span>}</td>
            <td className="px-4 py-2 text-slate-700">{formatTime(r.lastExtractedAt)}</td>
            <td className="px-4 py-2 text-right tabular-nums">{formatCount(r.rowsLoaded)}</td>
            <td className="px-4 py-2">
              <VerificationVerdict v={r.verification} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The per-table view: one row per job that loaded the table. */
export function TableLoadsTable({ rows }: { rows: TTableLoadRow[] }) {
  if (rows.length === 0) return <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No loads of this table in this time range.</p>;
  return (
    <table aria-label="Loads of this table" className="w-full overflow-hidden rounded-xl border border-slate-200 bg-white text-sm shadow-sm">
      <thead className="bg-slate-50 text-left text-slate-600">
        <tr>
          <th className="px-4 py-2 font-medium">Time Completed</th>
          <th className="px-4 py-2 font-medium">Status</th>
          <th className="px-4 py-2 font-medium">Max Replication Bookmark Value</th>
          <th className="px-4 py-2 text-right font-medium">Rows Loaded</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} className="border-t border-slate-100 align-top">
            <td className="px-4 py-2 text-slate-700">{r.completedAt ? formatTime(r.completedAt) : "In progress"}</td>
            <td className="px-4 py-2">
              <LoadStatus status={r.status} error={r.error} />
            </td>
            <td className="px-4 py-2 font-mono text-xs">{r.maxBookmark ?? <span className="text-slate-500">{BOOKMARK_UNAVAILABLE}</span>}</td>
            <td className="px-4 py-2 text-right tabular-nums" title={`${r.rowsInserted} inserted, ${r.rowsUpdated} updated, ${r.rowsDeleted} deleted`}>
              {formatCount(r.rowsLoaded)}
              <span className="block text-xs text-slate-500">
                +{formatCount(r.rowsInserted)} ~{formatCount(r.rowsUpdated)} −{formatCount(r.rowsDeleted)}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
