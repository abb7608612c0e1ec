"use client";
import { useState } from "react";
import type { TCatalogListRow } from "@/lib/selection/catalog-query";
import { TableColumnsPanel } from "./table-columns-panel";
import { TableRowCells } from "./table-row-cells";

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
        <TableRowCells row={row} tracked={tracked} />
      </div>
      {!row.accessible ? (
        <p className="px-12 pb-2 text-xs text-red-700">The integration&apos;s user has no SELECT privilege on this table. Grant it (GRANT SELECT ON {label} TO the user) and Refresh.</p>
      ) : null}
      {expanded ? (
        <TableColumnsPanel
          row={row}
          panelId={panelId}
          tracked={tracked}
          selected={selected}
          canEdit={canEdit}
          busy={busy}
          onColumn={(column, on) => {
            setOptCols((o) => ({ ...o, [column]: on }));
            onColumn(column, on);
          }}
          onSettings={onSettings}
          onResetKeys={onResetKeys}
        />
      ) : null}
    </li>
  );
}
