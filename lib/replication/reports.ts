import { eq, sql } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { rowUsage, tableLoads, tableStates } from "@/db/schema";
import type { TLoadResult } from "@/lib/connectors/types";
import type { TMethodState } from "./method-state";

/** Opens a table's loading-report row for a job (status running). */
export async function startTableLoad(
  db: TDbOrTx,
  input: { jobRunId: string; integrationId: string; tableKey: string; destinationTable: string; method: string; rowsEstimated: number | null },
): Promise<string> {
  const [row] = await db
    .insert(tableLoads)
    .values({ ...input, status: "running", extractedAt: new Date() })
    .returning({ id: tableLoads.id });
  if (!row) throw new Error("Could not record the table load");
  return row.id;
}

/** The rows a table load is expected to read (null: no total, e.g. changes since a bookmark). */
export async function setTableLoadEstimate(db: TDbOrTx, id: string, rowsEstimated: number | null): Promise<void> {
  await db.update(tableLoads).set({ rowsEstimated }).where(eq(tableLoads.id, id));
}

async function updateTableLoadProgress(db: TDbOrTx, id: string, rowsDone: number): Promise<void> {
  await db.update(tableLoads).set({ rowsDone }).where(eq(tableLoads.id, id));
}

/**
 * A table load's rows so far, for the live report: written at most once a second (the page polls), one
 * write at a time, in order. Await `settled` before the load's final figures: a write still in flight
 * would put an older count back. A failed write is skipped (the final figures come anyway).
 */
export function tableLoadProgress(db: TDbOrTx, id: string, everyMs = 1000): { report(rowsDone: number): void; settled(): Promise<void> } {
  let lastAt = 0;
  let chain: Promise<void> = Promise.resolve();
  return {
    report(rowsDone) {
      const now = Date.now();
      if (now - lastAt < everyMs) return;
      lastAt = now;
      chain = chain.then(() => updateTableLoadProgress(db, id, rowsDone)).catch(() => undefined);
    },
    settled: () => chain,
  };
}

export async function finishTableLoad(
  db: TDbOrTx,
  id: string,
  outcome: { status: "succeeded" | "failed" | "stopped"; result: TLoadResult; maxBookmark: string | null; error?: string | null },
): Promise<void> {
  await db
    .update(tableLoads)
    .set({
      status: outcome.status,
      rowsDone: outcome.result.rowsReceived,
      rowsInserted: outcome.result.rowsInserted,
      rowsUpdated: outcome.result.rowsUpdated,
      rowsDeleted: outcome.result.rowsDeleted,
      maxBookmark: outcome.maxBookmark,
      completedAt: new Date(),
      error: outcome.error ?? null,
    })
    .where(eq(tableLoads.id, id));
}

/** Adds rows to the integration's usage for today (UTC). */
export async function addRowUsage(db: TDbOrTx, integrationId: string, rows: number): Promise<void> {
  if (rows <= 0) return;
  const day = new Date().toISOString().slice(0, 10);
  await db
    .insert(rowUsage)
    .values({ integrationId, day, rows })
    .onConflictDoUpdate({ target: [rowUsage.integrationId, rowUsage.day], set: { rows: sql`${rowUsage.rows} + excluded.rows` } });
}

/** The app's mirror of a table's state (written after the destination committed it). */
export async function mirrorTableState(db: TDbOrTx, integrationId: string, tableKey: string, state: TMethodState): Promise<void> {
  const method = state.method;
  await db
    .insert(tableStates)
    .values({ integrationId, tableKey, method, state, updatedAt: new Date() })
    .onConflictDoUpdate({ target: [tableStates.integrationId, tableStates.tableKey], set: { method, state, updatedAt: new Date() } });
}
