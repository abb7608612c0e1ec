"use client";
import type { TTableProgress } from "@/lib/reports/jobs";
import { formatCount, tableLabel } from "@/components/reports/format";

/**
 * A progress bar per table: rows done of the estimate (estimates can be low; the bar caps at 100%). A
 * load without one (changes since a bookmark or a log position: no total to count towards) shows its
 * rows alone.
 */
export function TableProgress({ tables }: { tables: TTableProgress[] }) {
  return (
    <div className="space-y-2 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h3 className="text-sm font-semibold text-slate-700">Progress per table</h3>
      <ul className="space-y-2">
        {tables.map((t) => {
          const done = t.status === "succeeded";
          const est = t.rowsEstimated && t.rowsEstimated > 0 ? t.rowsEstimated : null;
          const pct = done ? 100 : est ? Math.min(99, Math.floor((t.rowsDone / est) * 100)) : 0;
          return (
            <li key={t.tableKey} className="space-y-1">
              <div className="flex justify-between gap-2 text-xs text-slate-700">
                <span className="font-mono" title={t.tableKey}>{tableLabel(t.tableKey)}</span>
                <span>
                  {est ? `${formatCount(t.rowsDone)} of ~${formatCount(est)} rows` : `${formatCount(t.rowsDone)} ${t.rowsDone === 1 ? "row" : "rows"}${t.status === "running" ? " so far" : ""}`} · {t.status}
                </span>
              </div>
              <div
                role="progressbar"
                aria-label={`Progress of ${tableLabel(t.tableKey)}`}
                aria-valuemin={0}
                aria-valuemax={100}
                // Without an estimate the bar is indeterminate (no value) until the table is done.
                aria-valuenow={est || done ? pct : undefined}
                aria-valuetext={est || done ? `${pct}%` : `${formatCount(t.rowsDone)} rows so far`}
                className="h-2 w-full overflow-hidden rounded-full bg-slate-200"
              >
                <div
                  className={`h-full ${t.status === "failed" ? "bg-red-500" : done ? "bg-green-500" : est ? "bg-indigo-500" : "animate-pulse bg-indigo-300"}`}
                  style={{ width: est || done ? `${pct}%` : "100%" }}
                />
              </div>
              {t.status === "failed" && t.error ? <p className="text-xs text-red-700">{t.error}</p> : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
