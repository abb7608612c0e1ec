"use client";
import { useState } from "react";
import type { TCatalogListRow } from "@/lib/selection/catalog-query";
import { columnDisabledReason, METHOD_LABELS } from "@/lib/selection/rules";
import { formatCount, KIND_LABELS } from "./api";

type TProps = {
  row: TCatalogListRow;
  expanded: boolean;
  canEdit: boolean;
  busy: boolean;
  onToggleExpanded: () => void;
  onTrack: (tracked: boolean) => void;
  onColumn: (column: string, selected: boolean) => void;
  onSettings: () => void;
  onResetKeys: () => void;
};

function Badge({ children, tone }: { children: React.ReactNode; tone: "slate" | "indigo" | "amber" | "red" | "green" }) {
  const tones = {
    slate: "bg-slate-100 text-slate-700",
    indigo: "bg-indigo-50 text-indigo-700",
    amber: "bg-amber-50 text-amber-800",
    red: "bg-red-50 text-red-700",
    green: "bg-green-50 text-green-700",
  };
  return <span className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${tones[tone]}`}>{children}</span>;
}

/** One table of the list: its checkbox tracks it; when tracked or opened, its columns show with their checkboxes. */
export function TableRow({ row, expanded, canEdit, busy, onToggleExpanded, onTrack, onColumn, onSettings, onResetKeys }: TProps) {
  const label = `${row.schema}.${row.name}`;
  // Optimistic: a click shows at once; the row is remounted with the server's answer (key includes the fetch time).
  const [optTracked, setOptTracked] = useState<boolean | null>(null);
  const [optCols, setOptCols] = useState<Record<string, boolean>>({});
  const tracked = optTracked ?? row.state?.tracked === true;
  const selected = new Set(row.state?.columns ?? []);
  for (const [c, on] of Object.entries(optCols)) {
    if (on) selected.add(c);
    else selected.delete(c);
  }
  const keyCols = new Set([...(row.state?.replicationKey ?? []), ...(row.state?.viewKeyColumns ?? [])]);
  const panelId = `cols-${encodeURIComponent(row.tableKey)}`;
  return (
    <li className="border-t border-slate-100" data-table-key={row.tableKey}>
      <div className="grid grid-cols-[2rem_minmax(0,1fr)_7rem_7rem_11rem_8rem] items-center gap-2 px-3 py-2 text-sm">
        <input
          type="checkbox"
          aria-label={label}
          checked={tracked}
          disabled={!canEdit || busy || (!row.accessible && !tracked)}
          onChange={(e) => {
            setOptTracked(e.target.checked);
            if (e.target.checked && !row.state?.columns.length) setOptCols(Object.fromEntries(row.columns.map((c) => [c.name, true])));
            onTrack(e.target.checked);
          }}
          className="h-4 w-4 accent-indigo-600"
        />
        <button type="button" onClick={onToggleExpanded} aria-expanded={expanded} aria-controls={panelId} className="truncate text-left font-medium text-slate-900 hover:text-indigo-700" title={`${row.database} · ${label}`}>
          <span className="text-slate-500">{row.schema}.</span>
          {row.name}
        </button>
        <span className="text-slate-600" title={row.kind === "partitioned_table" ? "Its partitions are replicated with it, into one destination table" : undefined}>
          {KIND_LABELS[row.kind]}
          {row.kind === "partitioned_table" ? <span className="block text-xs text-slate-500">partitions included</span> : null}
        </span>
        <span className="text-right tabular-nums text-slate-600">{formatCount(row.rowEstimate)}</span>
        <span className="text-slate-700">
          {tracked && row.state ? (
            <>
              {METHOD_LABELS[row.state.method]}
              {row.state.replicationKey.length ? <span className="block text-xs text-slate-500">key: {row.state.replicationKey.join(", ")}</span> : null}
            </>
          ) : (
            <span className="text-slate-400">—</span>
          )}
        </span>
        <span className="flex flex-wrap gap-1">
          {!row.accessible ? <Badge tone="red">not accessible</Badge> : tracked ? <Badge tone="green">Tracked</Badge> : <Badge tone="slate">Not tracked</Badge>}
          {row.hasPendingChange ? <Badge tone="amber">pending</Badge> : null}
          {row.resetPending ? <Badge tone="amber">reset pending</Badge> : row.resetRequestedAt ? <Badge tone="indigo">reset next job</Badge> : null}
        </span>
      </div>
      {!row.accessible ? (
        <p className="px-12 pb-2 text-xs text-red-700">The integration&apos;s user has no SELECT privilege on this table. Grant it (GRANT SELECT ON {label} TO the user) and Refresh.</p>
      ) : null}
      {expanded ? (
        <div id={panelId} role="group" aria-label={`Columns of ${label}`} className="mx-3 mb-3 rounded-lg border border-slate-200 bg-slate-50 p-3">
          <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
            <p className="text-xs text-slate-600">
              {row.database} · {row.columns.length} columns{tracked ? ` · ${selected.size} selected` : " · track the table to choose columns"}
            </p>
            {tracked && canEdit ? (
              <div className="flex gap-2">
                <button type="button" onClick={onSettings} disabled={busy} className="rounded-md border border-slate-300 bg-white px-3 py-1 text-xs font-semibold text-slate-700 hover:bg-slate-100">
                  Table Settings
                </button>
                {row.finalized?.tracked ? (
                  <button type="button" onClick={onResetKeys} disabled={busy || row.resetPending} className="rounded-md border border-red-200 bg-white px-3 py-1 text-xs font-semibold text-red-700 hover:bg-red-50 disabled:text-slate-400">
                    Reset Keys
                  </button>
                ) : null}
              </div>
            ) : null}
          </div>
          <ul className="grid grid-cols-1 gap-1 sm:grid-cols-2">
            {row.columns.map((c) => {
              const reason = columnDisabledReason(c);
              const locked = c.primaryKey || keyCols.has(c.name);
              return (
                <li key={c.name} className="flex items-start gap-2 text-sm">
                  <input
                    id={`${panelId}-${encodeURIComponent(c.name)}`}
                    type="checkbox"
                    aria-label={c.name}
                    checked={tracked && (selected.has(c.name) || c.primaryKey) && !reason}
                    disabled={!canEdit || busy || !tracked || reason !== null || locked}
                    onChange={(e) => {
                      const on = e.target.checked;
                      setOptCols((o) => ({ ...o, [c.name]: on }));
                      onColumn(c.name, on);
                    }}
                    className="mt-0.5 h-4 w-4 accent-indigo-600"
                  />
                  <label htmlFor={`${panelId}-${encodeURIComponent(c.name)}`} className="min-w-0">
                    <span className="break-all font-medium">{c.name}</span> <span className="font-mono text-xs text-slate-500">{c.type}</span>
                    {c.nullable ? null : <span className="text-xs text-slate-500"> not null</span>}
                    {c.primaryKey ? (
                      <span className="ml-1">
                        <Badge tone="indigo">primary key</Badge>
                      </span>
                    ) : null}
                    {reason ? <span className="block text-xs text-red-700">{reason}</span> : null}
                  </label>
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
    </li>
  );
}
