import { and, desc, eq } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { integrations, tableVerifications, type TTableVerificationRow } from "@/db/schema";
import { getIntegration } from "@/lib/integrations/get";
import { ZFirstKeys, type TDifferingKey, type TTableVerification, type TVerifyStatus } from "./types";

/** A stored verdict as the UI reads it (first_keys validated). */
export type TStoredVerification = Omit<TTableVerificationRow, "firstKeys" | "status"> & { status: TVerifyStatus; firstKeys: TDifferingKey[] };

function parseRow(row: TTableVerificationRow): TStoredVerification {
  const keys = ZFirstKeys.safeParse(row.firstKeys);
  return { ...row, firstKeys: keys.success ? keys.data : [] };
}

/**
 * Stores one table's verdict (the worker, after verifyTables' onTable or repairTables). The integration
 * must belong to the team: a row is never written for another team's integration.
 */
export async function recordVerification(
  db: TDbOrTx,
  input: { teamId: string; integrationId: string; jobRunId: string | null; result: TTableVerification; repairedRows?: number | null },
): Promise<TStoredVerification> {
  const [owned] = await db.select({ id: integrations.id }).from(integrations).where(and(eq(integrations.id, input.integrationId), eq(integrations.teamId, input.teamId))).limit(1);
  if (!owned) throw new Error("No such integration for this team");
  const r = input.result;
  const [row] = await db
    .insert(tableVerifications)
    .values({
      jobRunId: input.jobRunId,
      integrationId: input.integrationId,
      tableKey: r.tableKey,
      status: r.status,
      sourceRows: r.sourceRows,
      destinationRows: r.destinationRows,
      differing: r.differing,
      firstKeys: ZFirstKeys.parse(r.firstKeys),
      compared: r.compared,
      repairedRows: input.repairedRows ?? null,
      note: r.note ?? null,
      error: r.error ?? null,
    })
    .returning();
  return parseRow(row!);
}

/** The verdicts of one job run (Loading Reports of that job), for a team's integration. */
export async function verificationsOfRun(db: TDbOrTx, teamId: string, integrationId: string, jobRunId: string): Promise<TStoredVerification[]> {
  await getIntegration(db, teamId, integrationId);
  const rows = await db
    .select()
    .from(tableVerifications)
    .where(and(eq(tableVerifications.integrationId, integrationId), eq(tableVerifications.jobRunId, jobRunId)))
    .orderBy(tableVerifications.tableKey, tableVerifications.createdAt);
  return rows.map(parseRow);
}

/** Each table's latest verdict for a team's integration (the per-table Verify column). */
export async function latestVerifications(db: TDbOrTx, teamId: string, integrationId: string): Promise<TStoredVerification[]> {
  await getIntegration(db, teamId, integrationId);
  const rows = await db
    .selectDistinctOn([tableVerifications.tableKey])
    .from(tableVerifications)
    .where(eq(tableVerifications.integrationId, integrationId))
    .orderBy(tableVerifications.tableKey, desc(tableVerifications.createdAt));
  return rows.map(parseRow);
}

/** A table's verdict history, newest first (at most `limit`), for a team's integration. */
export async function tableVerificationHistory(db: TDbOrTx, teamId: string, integrationId: string, tableKey: string, limit = 50): Promise<TStoredVerification[]> {
  await getIntegration(db, teamId, integrationId);
  const rows = await db
    .select()
    .from(tableVerifications)
    .where(and(eq(tableVerifications.integrationId, integrationId), eq(tableVerifications.tableKey, tableKey)))
    .orderBy(desc(tableVerifications.createdAt))
    .limit(Math.max(1, Math.min(limit, 500)));
  return rows.map(parseRow);
}

/** The words Loading Reports show for a verdict: `Identical`, `N rows differ`, `Not verified`, `Verify failed`. */
export function verificationLabel(v: Pick<TTableVerification, "status" | "differing">): string {
  switch (v.status) {
    case "identical":
      return "Identical";
    case "differs":
      return `${v.differing} ${v.differing === 1 ? "row differs" : "rows differ"}`;
    case "skipped":
      return "Not verified";
    case "error":
      return "Verify failed";
  }
}
