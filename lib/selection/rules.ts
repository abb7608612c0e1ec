import type { TCatalogColumn, TReplicationMethod, TTableSelectionState } from "@/db/schema";

/** What the rules need to know about a discovered table (a catalog row satisfies it). */
export type TSelectableTable = {
  tableKey: string;
  kind: "table" | "view" | "materialized_view" | "partitioned_table";
  accessible: boolean;
  columns: TCatalogColumn[];
};

export type TLogBasedAvailability = { available: boolean; reason: string | null };

export const METHOD_LABELS: Record<TReplicationMethod, string> = {
  log_based: "Log-based Incremental",
  key_based: "Key-based Incremental",
  full_table: "Full Table",
};

export function isViewLike(table: Pick<TSelectableTable, "kind">): boolean {
  return table.kind === "view" || table.kind === "materialized_view";
}

/** A column that can be replicated at all (readable by the user, of a type the engine keeps). */
export function isColumnSelectable(c: TCatalogColumn): boolean {
  return c.readable && c.supported;
}

export function columnDisabledReason(c: TCatalogColumn): string | null {
  if (!c.readable) return "The integration's user has no SELECT privilege on this column.";
  if (!c.supported) return c.unsupportedReason ?? "This type cannot be replicated.";
  return null;
}

const ORDERABLE_BASE_TYPES = new Set([
  "smallint",
  "integer",
  "bigint",
  "numeric",
  "real",
  "double precision",
  "date",
  "timestamp without time zone",
  "timestamp with time zone",
  "text",
  "character varying",
  "character",
  "uuid",
]);

/** Types a Replication Key may have: integers, numerics, dates, timestamps, text, uuid (domains over them too). */
export function isOrderableColumn(c: TCatalogColumn): boolean {
  const base = (c.baseType ?? c.type).replace(/\(.*\)$/, "").trim();
  return ORDERABLE_BASE_TYPES.has(base);
}

export function replicationKeyCandidates(table: TSelectableTable): TCatalogColumn[] {
  return table.columns.filter((c) => isColumnSelectable(c) && isOrderableColumn(c));
}

export type TMethodOption = { method: TReplicationMethod; label: string; allowed: boolean; reason: string | null };

/** The three methods with why one is not offered: views have no log, failed prerequisites block it. */
export function methodOptions(table: Pick<TSelectableTable, "kind">, logBased: TLogBasedAvailability): TMethodOption[] {
  const logReason = isViewLike(table)
    ? `Log-based Incremental is not available for ${table.kind === "view" ? "views" : "materialized views"}: they have no changes in the log.`
    : logBased.available
      ? null
      : `Log-based Incremental is unavailable: ${logBased.reason ?? "the log-based prerequisites failed"}.`;
  return [
    { method: "log_based", label: METHOD_LABELS.log_based, allowed: logReason === null, reason: logReason },
    { method: "key_based", label: METHOD_LABELS.key_based, allowed: true, reason: null },
    { method: "full_table", label: METHOD_LABELS.full_table, allowed: true, reason: null },
  ];
}

/**
 * The method a newly tracked table starts with: the integration's default when it is allowed, else Full
 * Table. Key-based starts without a key; finalizing asks for one.
 */
export function initialMethod(table: Pick<TSelectableTable, "kind">, defaultMethod: TReplicationMethod, logBased: TLogBasedAvailability): TReplicationMethod {
  const opt = methodOptions(table, logBased).find((o) => o.method === defaultMethod);
  return opt?.allowed ? defaultMethod : "full_table";
}

export function primaryKeyColumns(table: TSelectableTable): string[] {
  return table.columns.filter((c) => c.primaryKey).map((c) => c.name);
}

/** Keeps catalog order; primary-key columns always in; columns that cannot be replicated never. */
export function normalizeColumns(table: TSelectableTable, wanted: Iterable<string>): string[] {
  const set = new Set(wanted);
  return table.columns.filter((c) => isColumnSelectable(c) && (c.primaryKey || set.has(c.name))).map((c) => c.name);
}

export function allColumns(table: TSelectableTable): string[] {
  return normalizeColumns(table, table.columns.map((c) => c.name));
}

export type TSelectionContext = { defaultMethod: TReplicationMethod; logBased: TLogBasedAvailability };

/** Tracking a table selects all its columns; untracking keeps the rest of its settings for later. */
export function setTracked(current: TTableSelectionState | null, table: TSelectableTable, tracked: boolean, ctx: TSelectionContext): TTableSelectionState {
  if (!tracked) {
    return current ? { ...current, tracked: false } : { tracked: false, columns: [], method: initialMethod(table, ctx.defaultMethod, ctx.logBased), replicationKey: [], viewKeyColumns: [] };
  }
  if (!table.accessible) throw new SelectionRuleError("tracked", "This table cannot be read by the integration's user (no SELECT privilege), so it cannot be tracked.");
  if (current && current.columns.length > 0) return { ...current, tracked: true, columns: normalizeColumns(table, current.columns) };
  return {
    tracked: true,
    columns: allColumns(table),
    method: current?.method ?? initialMethod(table, ctx.defaultMethod, ctx.logBased),
    replicationKey: current?.replicationKey ?? [],
    viewKeyColumns: current?.viewKeyColumns ?? [],
  };
}

export function setColumnSelected(current: TTableSelectionState, table: TSelectableTable, column: string, selected: boolean): TTableSelectionState {
  const col = table.columns.find((c) => c.name === column);
  if (!col) throw new SelectionRuleError("column", `No column ${column} in this table.`);
  if (!current.tracked) throw new SelectionRuleError("column", "Track the table before choosing its columns.");
  if (col.primaryKey && !selected) throw new SelectionRuleError("column", `${column} is part of the primary key and is always replicated.`);
  const reason = columnDisabledReason(col);
  if (reason && selected) throw new SelectionRuleError("column", reason);
  if (!selected && current.replicationKey.includes(column)) throw new SelectionRuleError("column", `${column} is the Replication Key; choose another key first.`);
  if (!selected && current.viewKeyColumns.includes(column)) throw new SelectionRuleError("column", `${column} is a key column of this view; remove it from the key first.`);
  const next = new Set(current.columns);
  if (selected) next.add(column);
  else next.delete(column);
  return { ...current, columns: normalizeColumns(table, next) };
}

export class SelectionRuleError extends Error {
  constructor(
    public readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "SelectionRuleError";
  }
}

export type TTableSettings = { method: TReplicationMethod; replicationKey: string[]; viewKeyColumns: string[] };

/** Field → message for settings that cannot be saved; empty when valid. */
export function validateSettings(table: TSelectableTable, settings: TTableSettings, logBased: TLogBasedAvailability): Record<string, string> {
  const errors: Record<string, string> = {};
  const opt = methodOptions(table, logBased).find((o) => o.method === settings.method);
  if (!opt?.allowed) errors.method = opt?.reason ?? "Choose a Replication Method.";
  if (settings.method === "key_based") {
    if (settings.replicationKey.length === 0) errors.replicationKey = "Key-based Incremental needs a Replication Key.";
    const candidates = new Set(replicationKeyCandidates(table).map((c) => c.name));
    const bad = settings.replicationKey.find((k) => !candidates.has(k));
    if (bad !== undefined) errors.replicationKey = `${bad} cannot be a Replication Key: it must be an integer, numeric, date, timestamp, text or uuid column the user can read.`;
  } else if (settings.replicationKey.length > 0) {
    errors.replicationKey = "A Replication Key is only used with Key-based Incremental.";
  }
  if (settings.viewKeyColumns.length > 0) {
    if (!isViewLike(table)) errors.viewKeyColumns = "Key columns are set for views only; tables use their primary key.";
    const names = new Set(table.columns.filter(isColumnSelectable).map((c) => c.name));
    const bad = settings.viewKeyColumns.find((k) => !names.has(k));
    if (bad !== undefined) errors.viewKeyColumns = `${bad} is not a readable column of this view.`;
  }
  return errors;
}

/** Applies valid settings; key and view key columns are selected too (they must be replicated). */
export function applySettings(current: TTableSelectionState, table: TSelectableTable, settings: TTableSettings, logBased: TLogBasedAvailability): TTableSelectionState {
  const errors = validateSettings(table, settings, logBased);
  const first = Object.entries(errors)[0];
  if (first) throw new SelectionRuleError(first[0], first[1]);
  return {
    ...current,
    method: settings.method,
    replicationKey: settings.replicationKey,
    viewKeyColumns: settings.viewKeyColumns,
    columns: normalizeColumns(table, [...current.columns, ...settings.replicationKey, ...settings.viewKeyColumns]),
  };
}

/** Whether going from `before` (finalized) to `after` resets the table: a method or key change of a tracked table. */
export function changeResetsTable(before: TTableSelectionState | null, after: TTableSelectionState | null): boolean {
  if (!before?.tracked || !after?.tracked) return false;
  return before.method !== after.method || !sameList(before.replicationKey, after.replicationKey);
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function sameState(a: TTableSelectionState | null, b: TTableSelectionState | null): boolean {
  if (a === null || b === null) return a === b;
  return a.tracked === b.tracked && a.method === b.method && sameList(a.columns, b.columns) && sameList(a.replicationKey, b.replicationKey) && sameList(a.viewKeyColumns, b.viewKeyColumns);
}

/**
 * `Track All Tables and Fields (Except Views)`: every readable table (not views or materialized views)
 * tracked with every column; a method a table already had is kept; pending column choices are overwritten.
 * Only offered while Log-based Incremental is the integration's default.
 */
export function trackAll(
  tables: TSelectableTable[],
  effective: ReadonlyMap<string, TTableSelectionState>,
  ctx: TSelectionContext,
): Map<string, TTableSelectionState> {
  if (ctx.defaultMethod !== "log_based") throw new SelectionRuleError("trackAll", "Track All is available only while Log-based Incremental is the integration's default method.");
  const out = new Map<string, TTableSelectionState>();
  for (const t of tables) {
    if (isViewLike(t) || !t.accessible) continue;
    const had = effective.get(t.tableKey);
    const keepMethod = had?.tracked === true;
    out.set(t.tableKey, {
      tracked: true,
      columns: allColumns(t),
      method: keepMethod ? had.method : initialMethod(t, ctx.defaultMethod, ctx.logBased),
      replicationKey: keepMethod ? had.replicationKey : [],
      viewKeyColumns: [],
    });
  }
  return out;
}

/** New columns of a tracked table are selected by default (discovery found them after the selection was made). */
export function addNewColumns(state: TTableSelectionState, added: string[]): TTableSelectionState {
  const have = new Set(state.columns);
  return { ...state, columns: [...state.columns, ...added.filter((c) => !have.has(c))] };
}

/** The state the user sees and edits: pending when there is one, else the finalized one. */
export function effectiveState(row: { pending: TTableSelectionState | null; finalized: TTableSelectionState | null } | undefined): TTableSelectionState | null {
  if (!row) return null;
  return row.pending ?? row.finalized;
}

export type TFinalizeOutcome = { finalized: TTableSelectionState | null; resetRequested: boolean };

/** Finalizing one row: pending becomes finalized; a method/key change or a pending Reset Keys resets the table. */
export function finalizeRow(row: { pending: TTableSelectionState | null; finalized: TTableSelectionState | null; pendingResetAt: Date | null }): TFinalizeOutcome {
  const next = row.pending ?? row.finalized;
  const resetRequested = (row.pendingResetAt !== null && next?.tracked === true) || changeResetsTable(row.finalized, next);
  return { finalized: next, resetRequested };
}

/** Why a tracked table's selection cannot be finalized as it is, or null. */
export function finalizeProblem(table: TSelectableTable | undefined, state: TTableSelectionState | null, logBased: TLogBasedAvailability): string | null {
  if (!state?.tracked) return null;
  if (!table) return null; // gone from the source: kept, the job reports it
  if (!table.accessible) return "the integration's user cannot read it (no SELECT privilege)";
  const errors = validateSettings(table, { method: state.method, replicationKey: state.replicationKey, viewKeyColumns: state.viewKeyColumns }, logBased);
  return Object.values(errors)[0] ?? null;
}
