"use client";
import { useDebounce } from "use-debounce";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { TReplicationMethod } from "@/db/schema";
import type { TCatalogListRow, TCatalogTree } from "@/lib/selection/catalog-query";
import type { TLogBasedAvailability } from "@/lib/selection/rules";
import type { TCatalogRefresh } from "@/lib/source/discovery-store";
import {
  cancelAction,
  catalogTreeAction,
  finalizeAction,
  listTablesAction,
  refreshCatalogAction,
  resetKeysAction,
  setColumnAction,
  setTrackedAction,
  trackAllAction,
  updateSettingsAction,
} from "@/lib/selection/actions";
import { Button } from "@/components/ui/field";
import { ActionError, unwrap } from "./api";
import { CatalogTreeNav } from "./catalog-tree-nav";
import { Dialog } from "./dialog";
import { TableRow } from "./table-row";
import { TableSettingsDialog, type TSettingsInput } from "./table-settings-dialog";

type TProps = {
  integrationId: string;
  defaultMethod: TReplicationMethod;
  logBased: TLogBasedAvailability;
  canEdit: boolean;
  initialTree: TCatalogTree;
  /** The integration's own database: the list opens on it. */
  initialDatabase: string | null;
};


/** The `Tables to Replicate` tab: databases → schemas → tables, search and paging on the server. */
export function TablesToReplicate({ integrationId, defaultMethod, logBased, canEdit, initialTree, initialDatabase }: TProps) {
  const qc = useQueryClient();
  const [scope, setScope] = useState<{ database: string | null; schema: string | null }>({
    database: initialDatabase && initialTree.databases.some((d) => d.name === initialDatabase) ? initialDatabase : null,
    schema: null,
  });
  const [searchText, setSearchText] = useState("");
  const search = useDebounce(searchText.trim(), 250)[0];
  const [page, setPage] = useState(0);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [settingsFor, setSettingsFor] = useState<TCatalogListRow | null>(null);
  const [resetFor, setResetFor] = useState<TCatalogListRow | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [lastRefresh, setLastRefresh] = useState<TCatalogRefresh | null>(null);
  const scopeTouched = useRef(false);

  const tree = useQuery({
    queryKey: ["catalog-tree", integrationId],
    queryFn: () => unwrap(catalogTreeAction({ integrationId })),
    initialData: initialTree,
  });
  const filter = { database: scope.database, schema: scope.schema, search: search || null };
  const list = useQuery({
    queryKey: ["catalog-tables", integrationId, filter, page],
    queryFn: () => unwrap(listTablesAction({ integrationId, ...filter, page })),
    placeholderData: keepPreviousData,
  });

  const invalidate = () =>
    Promise.all([qc.invalidateQueries({ queryKey: ["catalog-tables", integrationId] }), qc.invalidateQueries({ queryKey: ["catalog-tree", integrationId] })]);

  const mutation = useMutation({
    mutationFn: async (run: () => Promise<unknown>) => run(),
    onMutate: () => setError(null),
    onError: (e: Error) => setError(e.message),
    onSettled: invalidate,
  });
  const busy = mutation.isPending;

  const refresh = useMutation({
    mutationFn: () => unwrap(refreshCatalogAction({ integrationId })),
    onMutate: () => setError(null),
    onSuccess: (r) => {
      setLastRefresh(r);
      // First discovery: open on the integration's own database unless the user already picked a scope.
      if (!scopeTouched.current && initialDatabase && r.databases.some((d) => d.name === initialDatabase && d.tables > 0)) setScope({ database: initialDatabase, schema: null });
    },
    onError: (e: Error) => setError(e.message),
    onSettled: invalidate,
  });

  // First visit: nothing discovered yet, so discover now.
  const autoRan = useRef(false);
  useEffect(() => {
    if (!autoRan.current && canEdit && initialTree.discoveredAt === null) {
      autoRan.current = true;
      refresh.mutate();
    }
  }, [canEdit, initialTree.discoveredAt, refresh]);

  const run = (fn: () => Promise<unknown>, message?: string) =>
    mutation.mutate(async () => {
      setNotice(null);
      await fn();
      if (message) setNotice(message);
    });

  const track = (row: TCatalogListRow, tracked: boolean) => {
    setExpanded((s) => {
      const n = new Set(s);
      if (tracked) n.add(row.tableKey);
      else n.delete(row.tableKey);
      return n;
    });
    run(() => unwrap(setTrackedAction({ integrationId, tableKey: row.tableKey, tracked })));
  };

  const saveSettings = async (row: TCatalogListRow, s: TSettingsInput) => {
    try {
      await unwrap(updateSettingsAction({ integrationId, tableKey: row.tableKey, ...s }));
      setSettingsFor(null);
      setNotice(`Settings of ${row.schema}.${row.name} updated. Finalize Your Selections to apply them.`);
      await invalidate();
    } catch (e) {
      if (e instanceof ActionError) return { error: e.message, fieldErrors: e.fieldErrors };
      return { error: e instanceof Error ? e.message : String(e) };
    }
  };

  const data = list.data;
  const total = data?.total ?? 0;
  const pageSize = data?.pageSize ?? 50;
  const pending = data?.pending ?? 0;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : page * pageSize + 1;
  const to = Math.min(total, (page + 1) * pageSize);

  return (
    <div className="space-y-4 pb-24">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-600">
          {tree.data.total.toLocaleString("en-US")} tables, views and materialized views in {tree.data.databases.length} database{tree.data.databases.length === 1 ? "" : "s"}
          {tree.data.discoveredAt ? ` · discovered ${new Date(tree.data.discoveredAt).toISOString().replace("T", " ").slice(0, 19)} UTC` : ""}
        </p>
        {canEdit ? (
          <Button type="button" variant="secondary" onClick={() => refresh.mutate()} disabled={refresh.isPending}>
            {refresh.isPending ? "Discovering…" : "Refresh"}
          </Button>
        ) : null}
      </div>

      {error ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </div>
      ) : null}
      {lastRefresh ? (
        <div role="status" className="rounded-md border border-slate-200 bg-white px-3 py-2 text-sm text-slate-700">
          Discovered {lastRefresh.tables.toLocaleString("en-US")} tables in {((lastRefresh.discoverMs + lastRefresh.storeMs) / 1000).toFixed(1)} s.
          {Object.keys(lastRefresh.newColumns).length > 0 ? ` New columns on ${Object.keys(lastRefresh.newColumns).length} tracked table(s) were selected.` : ""}
          {lastRefresh.databases
            .filter((d) => d.error)
            .map((d) => (
              <span key={d.name} className="block text-red-700">
                Could not read database {d.name}: {d.error}
              </span>
            ))}
        </div>
      ) : null}
      {notice ? (
        <div role="status" className="rounded-md border border-indigo-200 bg-indigo-50 px-3 py-2 text-sm text-indigo-800">
          {notice}
        </div>
      ) : null}

      <div className="grid gap-6 md:grid-cols-[14rem_minmax(0,1fr)]">
        <aside className="md:sticky md:top-4 md:self-start">
          <CatalogTreeNav
            tree={tree.data}
            scope={scope}
            onScope={(s) => {
              scopeTouched.current = true;
              setScope(s);
              setPage(0);
            }}
          />
        </aside>

        <section aria-label="Tables" className="min-w-0 space-y-3">
          <div className="flex flex-wrap items-end justify-between gap-3">
            <div className="w-full max-w-sm space-y-1">
              <label htmlFor="table-search" className="block text-sm font-medium text-slate-700">
                Search tables
              </label>
              <input
                id="table-search"
                type="search"
                value={searchText}
                onChange={(e) => {
                  setSearchText(e.target.value);
                  setPage(0);
                }}
                placeholder="Table or schema.table"
                className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm"
              />
            </div>
            {canEdit && defaultMethod === "log_based" ? (
              <Button
                type="button"
                variant="secondary"
                disabled={busy || total === 0}
                onClick={() => run(async () => {
                  // The label promises every table of the integration, whatever the current filter shows.
                  const r = await unwrap(trackAllAction({ integrationId }));
                  setNotice(`${r.tracked} tables tracked with all their fields. Finalize Your Selections to apply, or Cancel.`);
                })}
              >
                Track All Tables and Fields (Except Views)
              </Button>
            ) : null}
          </div>

          <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
            <div className="grid grid-cols-[2rem_minmax(0,1fr)_7rem_7rem_11rem_8rem] gap-2 bg-slate-50 px-3 py-2 text-xs font-medium uppercase tracking-wide text-slate-500">
              <span aria-hidden />
              <span>Table Name</span>
              <span>Kind</span>
              <span className="text-right">Rows (est.)</span>
              <span>Method</span>
              <span>Status</span>
            </div>
            {list.isLoading || (refresh.isPending && total === 0) ? (
              <p className="px-3 py-6 text-center text-sm text-slate-500">{refresh.isPending ? "Discovering the source's tables…" : "Loading…"}</p>
            ) : total === 0 ? (
              <p className="px-3 py-6 text-center text-sm text-slate-500">{search ? `No table matches “${search}”.` : "No tables found. Refresh to discover the source again."}</p>
            ) : (
              <ul aria-label="Table list" className={list.isFetching ? "opacity-70" : undefined}>
                {data?.rows.map((row) => (
                  <TableRow
                    key={`${row.tableKey}@${list.dataUpdatedAt}`}
                    row={row}
                    expanded={expanded.has(row.tableKey)}
                    canEdit={canEdit}
                    busy={busy}
                    onToggleExpanded={() =>
                      setExpanded((s) => {
                        const n = new Set(s);
                        if (n.has(row.tableKey)) n.delete(row.tableKey);
                        else n.add(row.tableKey);
                        return n;
                      })
                    }
                    onTrack={(t) => track(row, t)}
                    onColumn={(column, selected) => run(() => unwrap(setColumnAction({ integrationId, tableKey: row.tableKey, column, selected })))}
                    onSettings={() => setSettingsFor(row)}
                    onResetKeys={() => setResetFor(row)}
                  />
                ))}
              </ul>
            )}
          </div>

          <div className="flex items-center justify-between text-sm text-slate-600">
            <span>
              Showing {from}–{to} of {total.toLocaleString("en-US")}
            </span>
            <div className="flex items-center gap-2">
              <Button type="button" variant="secondary" disabled={page === 0} onClick={() => setPage((p) => Math.max(0, p - 1))}>
                Previous
              </Button>
              <span>
                Page {page + 1} of {pages}
              </span>
              <Button type="button" variant="secondary" disabled={page + 1 >= pages} onClick={() => setPage((p) => p + 1)}>
                Next
              </Button>
            </div>
          </div>
        </section>
      </div>

      {canEdit ? (
        <div className="fixed inset-x-0 bottom-0 z-10 border-t border-slate-200 bg-white/95 px-6 py-3 shadow-lg">
          <div className="mx-auto flex max-w-6xl items-center justify-between gap-4">
            <p className="text-sm text-slate-700" aria-live="polite">
              {pending === 0 ? "No pending changes: what you see is what the next job replicates." : `${pending} table${pending === 1 ? "" : "s"} with pending changes. Nothing changes until you finalize.`}
            </p>
            <div className="flex gap-2">
              <Button type="button" variant="secondary" disabled={busy || pending === 0} onClick={() => run(() => unwrap(cancelAction({ integrationId })), "Pending changes discarded; the last finalized selections are back.")}>
                Cancel
              </Button>
              <Button
                type="button"
                disabled={busy || pending === 0}
                onClick={() =>
                  run(async () => {
                    const r = await unwrap(finalizeAction({ integrationId }));
                    setNotice(`Selections finalized (${r.changed} table${r.changed === 1 ? "" : "s"}). They apply from the next job${r.resets.length ? `; ${r.resets.length} table(s) will be reset` : ""}.`);
                  })
                }
              >
                Finalize Your Selections
              </Button>
            </div>
          </div>
        </div>
      ) : null}

      {settingsFor ? <TableSettingsDialog row={settingsFor} logBased={logBased} onClose={() => setSettingsFor(null)} onSave={(s) => saveSettings(settingsFor, s)} /> : null}
      {resetFor ? (
        <Dialog title={`Reset keys of ${resetFor.schema}.${resetFor.name}?`} onClose={() => setResetFor(null)}>
          <p className="text-sm text-slate-700">
            The next job after you finalize drops this table&apos;s replication bookmark and reloads the destination table in full. Rows deleted at the source disappear from the destination.
          </p>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setResetFor(null)}>
              Keep Keys
            </Button>
            <Button
              type="button"
              variant="danger"
              onClick={() => {
                const row = resetFor;
                setResetFor(null);
                run(() => unwrap(resetKeysAction({ integrationId, tableKey: row.tableKey })), `Keys of ${row.schema}.${row.name} will be reset by the next job once you finalize.`);
              }}
            >
              Reset Keys
            </Button>
          </div>
        </Dialog>
      ) : null}
    </div>
  );
}
