import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { jobRuns, tableLoads, tableSelections } from "@/db/schema";
import { getIntegration } from "@/lib/integrations/get";
import { latestVerificationCells, type TVerificationCell } from "./verification";

export const REPORT_RANGES = { "24h": { label: "24 hours", hours: 24 }, "7d": { label: "7 days", hours: 24 * 7 }, "30d": { label: "30 days", hours: 24 * 30 } } as const;
export type TReportRange = keyof typeof REPORT_RANGES;

export function parseRange(value: string | undefined | null): TReportRange {
  return value === "7d" || value === "30d" ? value : "24h";
}

const rowsOf = sql<number>`(${tableLoads.rowsInserted} + ${tableLoads.rowsUpdated} + ${tableLoads.rowsDeleted})`;

export type TTableSummary = {
  tableKey: string;
  destinationTable: string | null;
  tracked: boolean;
  /** Null shows as "Bookmark Unavailable". */
  maxBookmark: string | null;
  lastExtractedAt: string | null;
  rowsLoaded: number;
  lastStatus: string | null;
  /** The latest load's error (a failed table says why). */
  lastError: string | null;
  /** The table's latest Verify verdict (any time, not only in the range), or null if never verified. */
  verification: TVerificationCell | null;
};

/**
 * The all-tables view: every table tracked now or loaded in the range, with the latest load's bookmark
 * and extraction time and the rows loaded (inserted + updated + deleted) in the range.
 */
export async function allTablesReport(db: TDbOrTx, teamId: string, integrationId: string, range: TReportRange, now = new Date()): Promise<TTableSummary[]> {
  await getIntegration(db, teamId, integrationId);
  const since = new Date(now.getTime() - REPORT_RANGES[range].hours * 3600_000);
  const tracked = await db
    .select({ tableKey: tableSelections.tableKey })
    .from(tableSelections)
    .where(and(eq(tableSelections.integrationId, integrationId), sql`(${tableSelections.finalized}->>'tracked')::boolean`));
  const totals = await db
    .select({ tableKey: tableLoads.tableKey, rows: sql<number>`coalesce(sum(${rowsOf}), 0)::bigint`.mapWith(Number) })
    .from(tableLoads)
    .where(and(eq(tableLoads.integrationId, integrationId), gte(tableLoads.extractedAt, since)))
    .groupBy(tableLoads.tableKey);
  const latest = await db
    .selectDistinctOn([tableLoads.tableKey], {
      tableKey: tableLoads.tableKey,
      destinationTable: tableLoads.destinationTable,
      maxBookmark: tableLoads.maxBookmark,
      extractedAt: tableLoads.extractedAt,
      status: tableLoads.status,
      error: tableLoads.error,
    })
    .from(tableLoads)
    .where(eq(tableLoads.integrationId, integrationId))
    .orderBy(tableLoads.tableKey, desc(tableLoads.extractedAt));
  const keys = new Set([...tracked.map((t) => t.tableKey), ...totals.map((t) => t.tableKey)]);
  const trackedSet = new Set(tracked.map((t) => t.tableKey));
  const totalBy = new Map(totals.map((t) => [t.tableKey, t.rows]));
  const latestBy = new Map(latest.map((l) => [l.tableKey, l]));
  const verified = await latestVerificationCells(db, teamId, integrationId);
  return [...keys].sort().map((tableKey) => {
    const l = latestBy.get(tableKey);
    return {
      tableKey,
      destinationTable: l?.destinationTable || null,
      tracked: trackedSet.has(tableKey),
      maxBookmark: l?.maxBookmark ?? null,
      lastExtractedAt: l?.extractedAt?.toISOString() ?? null,
      rowsLoaded: totalBy.get(tableKey) ?? 0,
      lastStatus: l?.status ?? null,
      lastError: l?.error ?? null,
      verification: verified.get(tableKey) ?? null,
    };
  });
}

export type TTableLoadRow = {
  id: string;
  jobRunId: string;
  completedAt: string | null;
  extractedAt: string | null;
  status: string;
  maxBookmark: string | null;
  rowsLoaded: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
  error: string | null;
};

/** The per-table view: each job's load of one table in the range, newest first. */
export async function tableLoadsReport(db: TDbOrTx, teamId: string, integrationId: string, tableKey: string, range: TReportRange, now = new Date()): Promise<TTableLoadRow[]> {
  await getIntegration(db, teamId, integrationId);
  const since = new Date(now.getTime() - REPORT_RANGES[range].hours * 3600_000);
  const rows = await db
    .select()
    .from(tableLoads)
    .where(and(eq(tableLoads.integrationId, integrationId), eq(tableLoads.tableKey, tableKey), gte(tableLoads.extractedAt, since)))
    .orderBy(desc(tableLoads.extractedAt))
    .limit(1000);
  return rows.map((r) => ({
    id: r.id,
    jobRunId: r.jobRunId,
    completedAt: r.completedAt?.toISOString() ?? null,
    extractedAt: r.extractedAt?.toISOString() ?? null,
    status: r.status,
    maxBookmark: r.maxBookmark,
    rowsLoaded: r.rowsInserted + r.rowsUpdated + r.rowsDeleted,
    rowsInserted: r.rowsInserted,
    rowsUpdated: r.rowsUpdated,
    rowsDeleted: r.rowsDeleted,
    error: r.error,
  }));
}

export type TRowsOverTime = { bucket: string; rows: number };

/** Rows loaded per hour (24 hours) or per day (7 and 30 days), optionally for one table; empty buckets included. */
export async function rowsLoadedOverTime(db: TDbOrTx, teamId: string, integrationId: string, range: TReportRange, tableKey?: string, now = new Date()): Promise<TRowsOverTime[]> {
  await getIntegration(db, teamId, integrationId);
  const unit = range === "24h" ? "hour" : "day";
  const stepMs = unit === "hour" ? 3600_000 : 86_400_000;
  const since = new Date(now.getTime() - REPORT_RANGES[range].hours * 3600_000);
  const conds = [eq(tableLoads.integrationId, integrationId), gte(tableLoads.extractedAt, since)];
  if (tableKey) conds.push(eq(tableLoads.tableKey, tableKey));
  const rows = await db
    .select({
      bucket: sql<string>`to_char(date_trunc(${unit}, coalesce(${tableLoads.completedAt}, ${tableLoads.extractedAt}) at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:00')`,
      rows: sql<number>`sum(${rowsOf})::bigint`.mapWith(Number),
    })
    .from(tableLoads)
    .where(and(...conds))
    .groupBy(sql`1`);
  const by = new Map(rows.map((r) => [r.bucket, r.rows]));
  const out: TRowsOverTime[] = [];
  const start = Math.floor(since.getTime() / stepMs) * stepMs;
  for (let t = start; t <= now.getTime(); t += stepMs) {
    const key = new Date(t).toISOString().slice(0, 13) + ":00";
    out.push({ bucket: key, rows: by.get(key) ?? 0 });
  }
  return out;
}

/** Table keys that have any load (for the per-table picker). */
export async function loadedTableKeys(db: TDbOrTx, integrationId: string): Promise<string[]> {
  const rows = await db.selectDistinct({ tableKey: tableLoads.tableKey }).from(tableLoads).where(eq(tableLoads.integrationId, integrationId));
  return rows.map((r) => r.tableKey).sort();
}

export async function jobsExist(db: TDbOrTx, integrationIds: string[]): Promise<boolean> {
  if (integrationIds.length === 0) return false;
  const [row] = await db.select({ id: jobRuns.id }).from(jobRuns).where(inArray(jobRuns.integrationId, integrationIds)).limit(1);
  return !!row;
}
