import type pg from "pg";
import type { TDestinationLoader } from "@/lib/connectors/postgres/destination";
import type { TJobLogger } from "@/lib/jobs/log";
import { quoteIdent } from "@/lib/naming/identifiers";
import { changesAmong, columnHistoryOf, diffColumns, parseColumnHistory, recopyReason, relationLabel, type TColumnHistory } from "../../column-changes";
import { readSourceColumns, type TSourceColumn } from "@/lib/connectors/postgres/source/columns";
import type { TLogBasedState } from "../state";
import type { TLogTable } from "./table-context";

/**
 * The columns the destination table was made from. States saved before columns were followed by number
 * have only names and types: a name still at the source is taken as the same column (a rename since
 * then cannot be seen), a name no longer there as dropped.
 */
export function savedColumnHistory(state: TLogBasedState, live: TSourceColumn[]): TColumnHistory | null {
  const saved = parseColumnHistory(state.columns);
  if (saved) return saved;
  if (!state.columnTypes) return null;
  const byName = new Map(live.map((c) => [c.name, c.attnum]));
  const out: TColumnHistory = {};
  let gone = 0;
  for (const [name, type] of Object.entries(state.columnTypes)) out[name] = { attnum: byName.get(name) ?? --gone, type };
  return out;
}

/**
 * Brings the destination table in line with the source's columns since `history`, as far as DDL can do
 * it exactly: a rename renames the destination column, a new column is added, a safe widening widens it,
 * a drop keeps it (said once). Returns why the table must be copied again instead (values that never passed through the change
 * stream: an added column's default or generated value, a type change that is no widening, a renamed
 * column whose new name the stream already created), or null.
 */
export async function reconcileColumns(t: TLogTable, history: TColumnHistory | null, live: TSourceColumn[], loader: TDestinationLoader, log: TJobLogger): Promise<string | null> {
  const table = relationLabel(t.table.schema, t.table.name);
  const changes = changesAmong(diffColumns(history, live), t.spec.columns.map((c) => c.name));
  const reason = recopyReason(table, changes);
  if (reason) return reason;
  for (const r of changes.renamed) {
    if (!(await loader.renameColumn(t.spec.table, r.from, r.to))) {
      return `Column ${quoteIdent(r.from)} of ${table} was renamed to ${quoteIdent(r.to)} while changes were read under both names; so the table is copied again to bring one column with every value`;
    }
    log.info("target", `Column ${quoteIdent(r.from)} of ${table} was renamed to ${quoteIdent(r.to)} at the source: the destination column is renamed too`);
  }
  const ensured = await loader.ensureTable(t.spec);
  if (ensured.addedColumns.length > 0) log.info("target", `Added column(s) to ${t.spec.table}: ${ensured.addedColumns.join(", ")}`);
  const reused = changes.added.find((c) => ensured.existingColumns.includes(c.name));
  if (reused) {
    return `Column ${quoteIdent(reused.name)} of ${table} is a new column under the name of one the destination kept from before (dropped at the source); so the table is copied again to bring its values instead of the old ones`;
  }
  for (const r of changes.retyped) {
    const type = live.find((c) => c.name === r.name)?.destinationType ?? r.to;
    if (await loader.alterColumnType(t.spec.table, r.name, type)) {
      log.info("target", `Column ${quoteIdent(r.name)} of ${table} changed type from ${r.from} to ${r.to} at the source: the destination column is widened to ${type} (every value converts exactly)`);
    }
  }
  for (const name of changes.dropped) {
    log.info("target", `Column ${quoteIdent(name)} was dropped from ${table} at the source: the destination column is kept with the values it had; rows changed from now on leave it NULL`);
  }
  return null;
}

/** The state after reconcileColumns: the live columns are what the destination is made from now. */
export function withLiveColumns(state: TLogBasedState, t: TLogTable): TLogBasedState {
  return {
    ...state,
    columns: columnHistoryOf(t.columns),
    columnTypes: Object.fromEntries(t.spec.columns.map((c) => [c.name, t.sourceTypes.get(c.name) ?? c.type])),
  };
}

/**
 * After the stream: why the table must be copied again now, or null. Only what the stream itself could
 * not make right counts (see reconcileColumns); a rename or widening the stream never touched is done by
 * the next job before it applies anything.
 */
export function recopyAfterStream(t: TLogTable, live: TSourceColumn[]): string | null {
  const table = relationLabel(t.table.schema, t.table.name);
  const changes = changesAmong(diffColumns(columnHistoryOf(t.columns), live), t.spec.columns.map((c) => c.name));
  const reason = recopyReason(table, changes);
  if (reason) return reason;
  if (t.stopApplying) return `${table}: a column changed type during the read in a way its destination column cannot take; so the table is copied again to bring its values`;
  // A rename the stream never saw as a column of its own is left to the next job's rename.
  const names = new Set(t.spec.columns.map((c) => c.name));
  const renamed = changes.renamed.find((r) => names.has(r.to));
  if (!renamed) return null;
  return `Column ${quoteIdent(renamed.from)} of ${table} was renamed to ${quoteIdent(renamed.to)} while changes were read, and they arrived under both names; so the table is copied again to bring one column with every value`;
}

/**
 * Widens the destination columns queued by noteTypeChange to the source's new type (as the destination
 * takes it). Runs between writes: DDL inside a write's transaction would roll back with it.
 */
export async function widenColumns(t: TLogTable, source: pg.Client, loader: TDestinationLoader, log: TJobLogger): Promise<void> {
  const live = await readSourceColumns(source, t.table.schema, t.table.name);
  for (const name of t.widen) {
    const col = live.find((c) => c.name === name);
    if (!col) continue;
    if (await loader.alterColumnType(t.spec.table, name, col.destinationType)) log.info("target", `Widened ${quoteIdent(t.spec.table)}.${quoteIdent(name)} to ${col.destinationType}`);
    const spec = t.spec.columns.find((c) => c.name === name);
    if (spec) spec.type = col.destinationType;
  }
  t.widen.clear();
}

/**
 * The stream replays changes made since the saved position, some of them before the columns changed:
 * they carry a renamed column's old name (mapped to its current one) and its old type (what a type
 * change in the stream is measured from: the destination was made from it, then widened above).
 */
export function followOlderChanges(t: TLogTable, history: TColumnHistory | null): void {
  if (!history) return;
  const byAttnum = new Map(t.columns.map((c) => [c.attnum, c.name]));
  for (const [name, rec] of Object.entries(history)) {
    const now = byAttnum.get(rec.attnum);
    if (now === undefined) continue;
    if (now !== name) t.renames.set(name, now);
    t.expectedTypes.set(now, rec.type);
  }
}

const renamedColumns = new WeakMap<readonly string[], readonly string[]>();

/** A change from before a rename, under the column's current name (one mapped array per relation). */
export function withCurrentNames<T extends { columns: readonly string[]; types: Map<string, string> | null }>(change: T, renames: Map<string, string>): T {
  let columns = renamedColumns.get(change.columns);
  if (!columns) {
    columns = change.columns.map((c) => renames.get(c) ?? c);
    renamedColumns.set(change.columns, columns);
  }
  if (columns === change.columns && !change.types) return change;
  const types = change.types ? new Map([...change.types].map(([c, type]) => [renames.get(c) ?? c, type])) : null;
  return { ...change, columns, types };
}
