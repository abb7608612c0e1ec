"use client";
import type { TCatalogRefresh } from "@/lib/source/discovery-store";

type TProps = { error: string | null; lastRefresh: TCatalogRefresh | null; notice: string | null };

/** The tab's messages: the last error, what the last discovery found, and what the last change did. */
export function SelectionBanners({ error, lastRefresh, notice }: TProps) {
  return (
    <>
      {error ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </div>
      ) : null}
      {lastRefresh ? <RefreshBanner refresh={lastRefresh} /> : null}
      {notice ? (
        <div role="status" className="rounded-md border border-indigo-200 bg-indigo-50 px-3 py-2 text-sm text-indigo-800">
          {notice}
        </div>
      ) : null}
    </>
  );
}

function RefreshBanner({ refresh }: { refresh: TCatalogRefresh }) {
  const newColumnTables = Object.keys(refresh.newColumns).length;
  return (
    <div role="status" className="rounded-md border border-slate-200 bg-white px-3 py-2 text-sm text-slate-700">
      Discovered {refresh.tables.toLocaleString("en-US")} tables in {((refresh.discoverMs + refresh.storeMs) / 1000).toFixed(1)} s.
      {newColumnTables > 0 ? ` New columns on ${newColumnTables} tracked table(s) were selected.` : ""}
      {refresh.databases
        .filter((d) => d.error)
        .map((d) => (
          <span key={d.name} className="block text-red-700">
            Could not read database {d.name}: {d.error}
          </span>
        ))}
    </div>
  );
}
