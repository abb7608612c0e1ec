import { and, eq, inArray, sql } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { tableVerifications } from "@/db/schema";
import { latestVerifications, tableVerificationHistory, verificationLabel, type TStoredVerification } from "@/lib/verify/store";
import type { TDifferingKey, TVerifyStatus } from "@/lib/verify/types";

/** Keys shown in a report cell; the rest are counted ("and N more"). */
export const KEYS_SHOWN = 3;

/** One verdict as Loading Reports show it. */
export type TVerificationCell = {
  jobRunId: string | null;
  status: TVerifyStatus;
  /** `Identical`, `N rows differ`, `Not verified`, `Verify failed`. */
  label: string;
  /** The first differing keys, e.g. `id=1500 (changed)`. */
  keys: string[];
  /** Differing rows not named in `keys`. */
  moreRows: number;
  /** Set when the verdict records a Repair: the rows it wrote. */
  repairedRows: number | null;
  verifiedAt: string;
  note: string | null;
  error: string | null;
};

const KIND_WORDS: Record<TDifferingKey["kind"], string> = { changed: "changed", missing: "missing at the destination", extra: "only at the destination" };

/** `id=1500 (changed)`; a composite key `(region=eu, n=3) (missing at the destination)`. */
export function formatDifferingKey(k: TDifferingKey): string {
  const parts = Object.entries(k.key).map(([name, value]) => `${name}=${value}`);
  const key = parts.length === 1 ? parts[0]! : `(${parts.join(", ")})`;
  return `${key} (${KIND_WORDS[k.kind]})`;
}

export function verificationCell(v: TStoredVerification): TVerificationCell {
  const keys = v.firstKeys.slice(0, KEYS_SHOWN).map(formatDifferingKey);
  return {
    jobRunId: v.jobRunId,
    status: v.status,
    label: verificationLabel(v),
    keys,
    moreRows: v.status === "differs" ? Math.max(0, v.differing - keys.length) : 0,
    repairedRows: v.repairedRows,
    verifiedAt: v.createdAt.toISOString(),
    note: v.note,
    error: v.error,
  };
}

/** Each table's latest verdict, by table key (the all-tables view's Verify column). */
export async function latestVerificationCells(db: TDbOrTx, teamId: string, integrationId: string): Promise<Map<string, TVerificationCell>> {
  const rows = await latestVerifications(db, teamId, integrationId);
  return new Map(rows.map((r) => [r.tableKey, verificationCell(r)]));
}

/** One table's verdicts, newest first (the per-table view). */
export async function tableVerificationCells(db: TDbOrTx, teamId: string, integrationId: string, tableKey: string, limit = 50): Promise<TVerificationCell[]> {
  return (await tableVerificationHistory(db, teamId, integrationId, tableKey, limit)).map(verificationCell);
}

/** What a Verify or Repair job found, for the jobs list: tables per verdict and rows repaired. */
export type TRunVerification = { identical: number; differs: number; failed: number; skipped: number; repairedRows: number };

/** Per run id; the caller has already filtered the runs by team and integration. */
export async function verificationsByRun(db: TDbOrTx, integrationId: string, runIds: string[]): Promise<Map<string, TRunVerification>> {
  if (runIds.length === 0) return new Map();
  const rows = await db
    .select({
      jobRunId: tableVerifications.jobRunId,
      identical: sql<number>`count(*) filter (where ${tableVerifications.status} = 'identical')::int`,
      differs: sql<number>`count(*) filter (where ${tableVerifications.status} = 'differs')::int`,
      failed: sql<number>`count(*) filter (where ${tableVerifications.status} = 'error')::int`,
      skipped: sql<number>`count(*) filter (where ${tableVerifications.status} = 'skipped')::int`,
      repairedRows: sql<number>`coalesce(sum(${tableVerifications.repairedRows}), 0)::bigint`.mapWith(Number),
    })
    .from(tableVerifications)
    .where(and(eq(tableVerifications.integrationId, integrationId), inArray(tableVerifications.jobRunId, runIds)))
    .groupBy(tableVerifications.jobRunId);
  return new Map(rows.flatMap((r) => (r.jobRunId ? [[r.jobRunId, { identical: r.identical, differs: r.differs, failed: r.failed, skipped: r.skipped, repairedRows: r.repairedRows }] as const] : [])));
}

/** "2 identical · 1 differs · 3 rows repaired": the jobs list's one-line account of a verification. */
export function describeRunVerification(v: TRunVerification): string {
  const parts = [`${v.identical} identical`];
  if (v.differs) parts.push(`${v.differs} ${v.differs === 1 ? "differs" : "differ"}`);
  if (v.failed) parts.push(`${v.failed} failed`);
  if (v.skipped) parts.push(`${v.skipped} not verified`);
  if (v.repairedRows) parts.push(`${v.repairedRows} ${v.repairedRows === 1 ? "row" : "rows"} repaired`);
  return parts.join(" · ");
}
