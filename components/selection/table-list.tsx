"use client";
import type { ReactNode } from "react";
import type { TCatalogListRow } from "@/lib/selection/catalog-query";

type TProps = {
  rows: TCatalogListRow[] | undefined;
  total: number;
  loading: boolean;
  /** A newer page is on its way: the shown one dims. */
  fetching: boolean;
  refreshing: boolean;
  search: string;
  renderRow: (row: TCatalogListRow) => ReactNode;
};

/** The table list's frame: column headings, then the rows, or why there are none yet. */
export function TableList({ rows, total, loading, fetching, refreshing, search, renderRow }: TProps) {
  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
      <div className="grid grid-cols-[2rem_minmax(0,1fr)_7rem_7rem_11rem_8rem] gap-2 bg-slate-50 px-3 py-2 text-xs font-medium uppercase tracking-wide text-slate-500">
        <span aria-hidden />
        <span>Table Name</span>
        <span>Kind</span>
        <span className="text-right">Rows (est.)</span>
        <span>Method</span>
        <span>Status</span>
      </div>
      {loading || (refreshing && total === 0) ? (
        <p className="px-3 py-6 text-center text-sm text-slate-500">{refreshing ? "Discovering the source's tables…" : "Loading…"}</p>
      ) : total === 0 ? (
        <p className="px-3 py-6 text-center text-sm text-slate-500">{search ? `No table matches “${search}”.` : "No tables found. Refresh to discover the source again."}</p>
      ) : (
        <ul aria-label="Table list" className={fetching ? "opacity-70" : undefined}>
          {rows?.map(renderRow)}
        </ul>
      )}
    </div>
  );
}
