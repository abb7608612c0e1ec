import { and, eq, isNotNull } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { catalogTables, tableSelections, type TCatalogTable, type TTableSelectionState } from "@/db/schema";

/** A tracked table as a job replicates it: the finalized choice with its catalog entry. */
export type TSelectedTable = {
  tableKey: string;
  database: string;
  schema: string;
  name: string;
  kind: TCatalogTable["kind"];
  rowEstimate: number | null;
  selection: TTableSelectionState;
  /** Set when a reset (Reset Keys, method/key change) was asked for; the job resets the table first. */
  resetRequestedAt: Date | null;
  /** Primary key columns as discovered (views: none; their view key columns are in the selection). */
  catalogPrimaryKey: string[];
};

/**
 * The finalized selections of an integration joined with the catalog. Tables whose catalog entry is gone
 * (dropped at the source) are returned with `missing` so the job can report them.
 */
export async function getSelectedTables(db: TDbOrTx, integrationId: string): Promise<{ tables: TSelectedTable[]; missing: string[] }> {
  const rows = await db
    .select({ sel: tableSelections, cat: catalogTables })
    .from(tableSelections)
    .leftJoin(catalogTables, and(eq(catalogTables.integrationId, tableSelections.integrationId), eq(catalogTables.tableKey, tableSelections.tableKey)))
    .where(and(eq(tableSelections.integrationId, integrationId), isNotNull(tableSelections.finalized)));
  const tables: TSelectedTable[] = [];
  const missing: string[] = [];
  for (const { sel, cat } of rows) {
    if (!sel.finalized?.tracked) continue;
    if (!cat) {
      missing.push(sel.tableKey);
      continue;
    }
    tables.push({
      tableKey: sel.tableKey,
      database: cat.database,
      schema: cat.schema,
      name: cat.name,
      kind: cat.kind,
      rowEstimate: cat.rowEstimate,
      selection: sel.finalized,
      resetRequestedAt: sel.resetRequestedAt,
      catalogPrimaryKey: cat.columns.filter((c) => c.primaryKey).map((c) => c.name),
    });
  }
  tables.sort((a, b) => a.tableKey.localeCompare(b.tableKey));
  return { tables, missing };
}
