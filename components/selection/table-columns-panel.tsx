import type { TCatalogListRow } from "@/lib/selection/catalog-query";
import { columnDisabledReason } from "@/lib/selection/rules";
import { Badge } from "./badge";

type TProps = {
  row: TCatalogListRow;
  panelId: string;
  tracked: boolean;
  selected: Set<string>;
  canEdit: boolean;
  busy: boolean;
  onColumn: (column: string, selected: boolean) => void;
  onSettings: () => void;
  onResetKeys: () => void;
};

/** An opened table's columns with their checkboxes, and its Table Settings / Reset Keys buttons. */
export function TableColumnsPanel({ row, panelId, tracked, selected, canEdit, busy, onColumn, onSettings, onResetKeys }: TProps) {
  const label = `${row.schema}.${row.name}`;
  const keyCols = new Set([...(row.state?.replicationKey ?? []), ...(row.state?.viewKeyColumns ?? [])]);
  return (
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
          const id = `${panelId}-${encodeURIComponent(c.name)}`;
          return (
            <li key={c.name} className="flex items-start gap-2 text-sm">
              <input
                id={id}
                type="checkbox"
                aria-label={c.name}
                checked={tracked && (selected.has(c.name) || c.primaryKey) && !reason}
                disabled={!canEdit || busy || !tracked || reason !== null || locked}
                onChange={(e) => onColumn(c.name, e.target.checked)}
                className="mt-0.5 h-4 w-4 accent-indigo-600"
              />
              <label htmlFor={id} className="min-w-0">
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
  );
}
