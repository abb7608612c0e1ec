import type { TVerificationCell } from "@/lib/reports/verification";
import { formatCount, formatTime } from "./format";

const VERDICT_STYLE: Record<TVerificationCell["status"], string> = {
  identical: "bg-green-100 text-green-800",
  differs: "bg-amber-100 text-amber-900",
  error: "bg-red-100 text-red-800",
  skipped: "bg-slate-100 text-slate-700",
};

/** `Repaired N rows` (a Repair's verdict), or nothing. */
function repairedLabel(v: TVerificationCell): string | null {
  if (v.repairedRows === null || v.repairedRows === 0) return null;
  return `Repaired ${formatCount(v.repairedRows)} ${v.repairedRows === 1 ? "row" : "rows"}`;
}

/** A table's verdict: `Identical` or `N rows differ` with the first keys, a Repair's rows, and when. */
export function VerificationVerdict({ v, showTime = true }: { v: TVerificationCell | null; showTime?: boolean }) {
  if (!v) return <span className="text-slate-500">Not verified yet</span>;
  const repaired = repairedLabel(v);
  return (
    <div className="space-y-1" data-testid="verification">
      <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${VERDICT_STYLE[v.status]}`}>{v.label}</span>
      {repaired ? <span className="ml-2 text-xs font-semibold text-indigo-700">{repaired}</span> : null}
      {v.keys.length > 0 ? (
        <p className="max-w-xs text-xs text-slate-700">
          <span className="text-slate-500">First keys: </span>
          <span className="font-mono">{v.keys.join(", ")}</span>
          {v.moreRows > 0 ? <span className="text-slate-500"> and {formatCount(v.moreRows)} more</span> : null}
        </p>
      ) : null}
      {v.error ? <p className="max-w-xs text-xs text-red-700">{v.error}</p> : null}
      {v.note && v.status !== "identical" ? <p className="max-w-xs text-xs text-slate-500">{v.note}</p> : null}
      {showTime ? <p className="text-xs text-slate-500">Verified {formatTime(v.verifiedAt)}</p> : null}
    </div>
  );
}

/** The per-table view's verdicts, newest first. */
export function TableVerificationsTable({ rows }: { rows: TVerificationCell[] }) {
  if (rows.length === 0) return <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">This table has not been verified yet: use Verify.</p>;
  return (
    <table aria-label="Verifications of this table" className="w-full overflow-hidden rounded-xl border border-slate-200 bg-white text-sm shadow-sm">
      <thead className="bg-slate-50 text-left text-slate-600">
        <tr>
          <th className="px-4 py-2 font-medium">Time Verified</th>
          <th className="px-4 py-2 font-medium">Verify</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={`${r.verifiedAt}-${i}`} className="border-t border-slate-100 align-top">
            <td className="px-4 py-2 text-slate-700">{formatTime(r.verifiedAt)}</td>
            <td className="px-4 py-2">
              <VerificationVerdict v={r} showTime={false} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
