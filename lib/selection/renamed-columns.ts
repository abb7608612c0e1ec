import { and, eq } from "drizzle-orm";
import type { TDb } from "@/db/client";
import { tableSelections, type TTableSelectionState } from "@/db/schema";

export type TColumnRename = { from: string; to: string };

/**
 * A selection after columns were renamed at the source: each renamed name is replaced by the new one
 * (all at once, so swaps work), in the columns, the Replication Key and the view key columns.
 */
export function renameInSelection<T extends Pick<TTableSelectionState, "columns" | "replicationKey" | "viewKeyColumns">>(state: T, renames: TColumnRename[]): T {
  const to = new Map(renames.map((r) => [r.from, r.to]));
  const follow = (names: string[]) => [...new Set(names.map((n) => to.get(n) ?? n))];
  return { ...state, columns: follow(state.columns), replicationKey: follow(state.replicationKey), viewKeyColumns: follow(state.viewKeyColumns) };
}

/**
 * Keeps a table's selections (finalized and pending) on columns renamed at the source: a selected column
 * stays selected under its new name, the Replication Key follows it. Renames are known by column number
 * (the job's column history); discovery alone sees a column vanish and another appear.
 */
export async function renameSelectedColumns(db: TDb, integrationId: string, tableKey: string, renames: TColumnRename[]): Promise<void> {
  if (renames.length === 0) return;
  const where = and(eq(tableSelections.integrationId, integrationId), eq(tableSelections.tableKey, tableKey));
  // Locked: the dashboard may be saving a pending change to the same row.
  await db.transaction(async (tx) => {
    const [row] = await tx.select({ pending: tableSelections.pending, finalized: tableSelections.finalized }).from(tableSelections).where(where).for("update");
    if (!row) return;
    const follow = (s: TTableSelectionState | null) => (s ? renameInSelection(s, renames) : s);
    await tx.update(tableSelections).set({ pending: follow(row.pending), finalized: follow(row.finalized), updatedAt: new Date() }).where(where);
  });
}
