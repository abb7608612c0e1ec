import type { TDbOrTx } from "@/db/client";
import type { TTableSelectionState } from "@/db/schema";
import { getFinalizedSelectionsWithMissing } from "@/lib/selection/finalized";
import { catalogFields, type TCatalogFields } from "@/lib/selection/catalog-fields";

/** A tracked table as a job replicates it: the finalized choice with its catalog entry. */
export type TSelectedTable = TCatalogFields & {
  selection: TTableSelectionState;
  /** Set when a reset (Reset Keys, method/key change) was asked for; the job resets the table first. */
  resetRequestedAt: Date | null;
  /** Primary key columns as discovered (views: none; their view key columns are in the selection). */
  catalogPrimaryKey: string[];
};

/**
 * The finalized selections of an integration (the selection module's view of them), in the shape the
 * engine uses. Tables whose catalog entry is gone are returned in `missing` so the job reports them.
 */
export async function getSelectedTables(db: TDbOrTx, integrationId: string): Promise<{ tables: TSelectedTable[]; missing: string[] }> {
  const { tables, missing } = await getFinalizedSelectionsWithMissing(db, integrationId);
  return {
    missing,
    tables: tables.map((t) => ({
      ...catalogFields(t),
      selection: { tracked: true, columns: t.columns.map((c) => c.name), method: t.method, replicationKey: t.replicationKey, viewKeyColumns: t.viewKeyColumns },
      resetRequestedAt: t.resetRequestedAt,
      catalogPrimaryKey: t.primaryKey,
    })),
  };
}
