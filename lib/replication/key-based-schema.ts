import type { TDb } from "@/db/client";
import type { TDestination, TSource } from "@/lib/connectors/contracts";
import type { TLoadTableSpec, TSourceColumn } from "@/lib/connectors/types";
import type { TJobLogger } from "@/lib/jobs/log";
import { quoteIdent } from "@/lib/naming/identifiers";
import { renameInSelection, renameSelectedColumns } from "@/lib/selection/renamed-columns";
import { changesAmong, columnHistoryOf, diffColumns, hasColumnChanges, NO_COLUMN_CHANGES, parseColumnHistory, recopyReason, relationLabel, type TColumnHistory, type TColumnChanges } from "./column-changes";
import type { TKeyBasedState, TMethodState } from "./method-state";
import type { TSelectedTable } from "./selected-tables";
import { sourceTableOf } from "./table-run";

export type TKeyBasedShapeFields = { columns: TColumnHistory; sourceOid: number };

/** The shape fields of a state saved by this run: the columns it read and the table's oid. */
export async function keyBasedShapeFields(run: { source: TSource; table: TSelectedTable; sourceColumns: TSourceColumn[] }): Promise<TKeyBasedShapeFields> {
  return { columns: columnHistoryOf(run.sourceColumns), sourceOid: await run.source.tableIdentity(sourceTableOf(run.table)) };
}

/** A Key-based table's source schema compared with the one its saved state was made from. */
export type TSourceSchema = {
  /** The table with its selection on renamed columns' new names. */
  table: TSelectedTable;
  /** The saved state, its Replication Key on renamed columns' new names. */
  state: TMethodState | null;
  changes: TColumnChanges;
  /** Why the source table is not the one the destination was copied from, or null. */
  replaced: string | null;
  sourceOid: number | null;
};

/**
 * Compares the live source table with the saved state's column history and oid. Renamed columns are
 * followed in the selection (saved, so the dashboard and later jobs see the new names) and in the state's
 * Replication Key. A state without a history (older states) knows of no changes.
 */
export async function followSourceSchema(input: { db: TDb; integrationId: string; source: TSource; table: TSelectedTable; state: TMethodState | null; sourceColumns: TSourceColumn[] }): Promise<TSourceSchema> {
  const { table, state } = input;
  const unchanged: TSourceSchema = { table, state, changes: NO_COLUMN_CHANGES, replaced: null, sourceOid: null };
  if (state?.method !== "key_based") return unchanged;
  const sourceOid = await input.source.tableIdentity(sourceTableOf(table));
  if (state.sourceOid !== undefined && state.sourceOid !== sourceOid) {
    const replaced = `${relationLabel(table.schema, table.name)} is not the table the destination was copied from (it was dropped and created again, or another table took its name), so the table is copied again`;
    return { ...unchanged, replaced, sourceOid };
  }
  const changes = diffColumns(parseColumnHistory(state.columns), input.sourceColumns);
  if (changes.renamed.length === 0) return { ...unchanged, changes, sourceOid };
  await renameSelectedColumns(input.db, input.integrationId, table.tableKey, changes.renamed);
  const key = renameInSelection({ columns: [], replicationKey: state.replicationKey, viewKeyColumns: [] }, changes.renamed).replicationKey;
  const renamed: TKeyBasedState = { ...state, replicationKey: key };
  return {
    table: { ...table, selection: renameInSelection(table.selection, changes.renamed) },
    state: renamed,
    changes,
    replaced: null,
    sourceOid,
  };
}

type TApplyInput = {
  schema: TSourceSchema;
  spec: TLoadTableSpec;
  sourceColumns: TSourceColumn[];
  loader: TDestination;
  log: TJobLogger;
  /** The table is copied again anyway (a reset): the destination table is only made to exist. */
  resetting: boolean;
  onStateCommitted(state: TMethodState): Promise<void>;
};

/**
 * Makes the destination table follow the source's schema changes before a Key-based run: renames and safe
 * widenings in place, drops kept (and said), new columns added. Returns, in plain words, why the table
 * must be copied again instead (existing rows whose values no DDL brings), or null.
 */
export async function applySourceSchema(input: TApplyInput): Promise<string | null> {
  const { schema, spec, loader, log } = input;
  const label = relationLabel(schema.table.schema, schema.table.name);
  const changes = changesAmong(schema.changes, spec.columns.map((c) => c.name));
  const recopy = input.resetting ? null : (schema.replaced ?? recopyReason(label, changes, { view: schema.table.kind === "view" || schema.table.kind === "materialized_view" }));
  if (input.resetting || recopy) {
    await ensureDestinationTable(input);
    if (recopy) log.info("main", recopy);
    return recopy;
  }
  for (const r of changes.renamed) {
    if (await loader.renameColumn(spec.table, r.from, r.to)) log.info("main", `Column ${quoteIdent(r.from)} of ${label} was renamed to ${quoteIdent(r.to)} at the source: the destination column is renamed too, with its values`);
  }
  const existing = new Set(await ensureDestinationTable(input));
  const clash = destinationClash(label, changes, spec, existing);
  if (clash) {
    log.info("main", clash);
    return clash;
  }
  for (const t of changes.retyped) {
    const type = input.sourceColumns.find((c) => c.name === t.name)?.destinationType ?? t.to;
    if (await loader.alterColumnType(spec.table, t.name, type)) {
      log.info("main", `Column ${quoteIdent(t.name)} of ${label} changed type from ${t.from} to ${t.to} at the source: the destination column is widened in place (every value converts exactly), no copy needed`);
    }
  }
  for (const name of changes.dropped.filter((d) => existing.has(d))) {
    log.info("main", `Column ${quoteIdent(name)} was dropped from ${label} at the source: the destination keeps the column and the values it has (it gets no new ones)`);
  }
  for (const c of changes.added) log.info("main", `Column ${quoteIdent(c.name)} was added to ${label} without a default: existing rows hold NULL at the source too, so no copy is needed`);
  // Saved now: a run that finds no rows to load saves no state, and the changes would be told again.
  if (hasColumnChanges(schema.changes) && schema.state && schema.sourceOid !== null) {
    const next = { ...schema.state, columns: columnHistoryOf(input.sourceColumns), sourceOid: schema.sourceOid };
    await loader.saveState(spec.tableKey, next);
    await input.onStateCommitted(next);
  }
  return null;
}

/**
 * A column new at the source (or renamed) whose name the destination table already had for other values:
 * a column dropped at the source and kept there, one no longer selected, or a rename that found its new
 * name taken. Its existing rows would keep those values.
 */
function destinationClash(label: string, changes: TColumnChanges, spec: TLoadTableSpec, existing: Set<string>): string | null {
  const selected = new Set(spec.columns.map((c) => c.name));
  const renamedInto = changes.renamed.filter((r) => selected.has(r.to) && existing.has(r.from)).map((r) => r.to);
  const taken = [...changes.added.map((c) => c.name), ...renamedInto].filter((n) => existing.has(n));
  if (taken.length === 0) return null;
  const each = taken.map((n) => `Column ${quoteIdent(n)} of ${label} is new at the source under a name the destination table already has for other values`);
  return `${each.join("; ")}, so the table is copied again to bring the existing rows' values`;
}

/** The destination table with the spec's columns; returns the columns it had before. */
async function ensureDestinationTable({ loader, spec, log }: TApplyInput): Promise<string[]> {
  const ensured = await loader.ensureTable(spec);
  if (ensured.addedColumns.length > 0) log.info("target", `Added column(s) to ${spec.table}: ${ensured.addedColumns.join(", ")}`);
  return ensured.existingColumns;
}
