import { and, eq, isNull, lte, sql } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { catalogTables, tableSelections, type TCatalogColumn, type TReplicationMethod } from "@/db/schema";
import { catalogFields, type TCatalogFields } from "./catalog-fields";

/** One tracked table as a job replicates it: the finalized selection joined with the current catalog. */
export type TFinalizedTable = TCatalogFields & {
  /** Selected columns in source order, with their types; primary-key columns always included. */
  columns: TCatalogColumn[];
  primaryKey: string[];
  method: TReplicationMethod;
  replicationKey: string[];
  /** For views: the columns the user declared as the view's key (upserts use them). */
  viewKeyColumns: string[];
  /** Set when the table must be reset (bookmark dropped, destination table reloaded) by this job. */
  resetRequestedAt: Date | null;
};

/**
 * The finalized selections of an integration, as a job captures them at its start (pending changes are
 * never seen by a job). Tables tracked but gone from the latest discovery are returned in `missing`
 * so the job can say so in its log instead of silently skipping them. Selected columns that no longer
 * exist are left out; columns added since are included (discovery adds them to the selection).
 */
export async function getFinalizedSelections(db: TDbOrTx, integrationId: string): Promise<TFinalizedTable[]> {
  return (await getFinalizedSelectionsWithMissing(db, integrationId)).tables;
}

export async function getFinalizedSelectionsWithMissing(db: TDbOrTx, integrationId: string): Promise<{ tables: TFinalizedTable[]; missing: string[] }> {
  const rows = await db
    .select({ s: tableSelections, t: catalogTables })
    .from(tableSelections)
    .leftJoin(catalogTables, and(eq(catalogTables.integrationId, tableSelections.integrationId), eq(catalogTables.tableKey, tableSelections.tableKey)))
    .where(and(eq(tableSelections.integrationId, integrationId), sql`(${tableSelections.finalized} ->> 'tracked')::boolean`))
    .orderBy(tableSelections.tableKey);
  const tables: TFinalizedTable[] = [];
  const missing: string[] = [];
  for (const { s, t } of rows) {
    const f = s.finalized;
    if (!f) continue;
    if (!t) {
      missing.push(s.tableKey);
      continue;
    }
    const chosen = new Set(f.columns);
    tables.push({
      ...catalogFields(t),
      columns: t.columns.filter((c) => c.primaryKey || chosen.has(c.name)),
      primaryKey: t.columns.filter((c) => c.primaryKey).map((c) => c.name),
      method: f.method,
      replicationKey: f.replicationKey,
      viewKeyColumns: f.viewKeyColumns,
      resetRequestedAt: s.resetRequestedAt,
    });
  }
  return { tables, missing };
}

/**
 * Asks for a table's reset, for the next job: an integration's reset that this table's copy did not
 * complete (the integration's request ends with the job). A request of the table's own is kept.
 */
export async function requestTableReset(db: TDbOrTx, integrationId: string, tableKey: string, at: Date): Promise<void> {
  await db
    .update(tableSelections)
    .set({ resetRequestedAt: at })
    .where(and(eq(tableSelections.integrationId, integrationId), eq(tableSelections.tableKey, tableKey), isNull(tableSelections.resetRequestedAt)));
}

/**
 * Called by the job once it has reset a table: clears the request, unless a newer one arrived meanwhile
 * (a reset asked while the job ran applies to the next job).
 */
export async function acknowledgeTableReset(db: TDbOrTx, integrationId: string, tableKey: string, requestedAt: Date): Promise<void> {
  await db
    .update(tableSelections)
    .set({ resetRequestedAt: null })
    .where(and(eq(tableSelections.integrationId, integrationId), eq(tableSelections.tableKey, tableKey), lte(tableSelections.resetRequestedAt, requestedAt)));
}
