import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { integrations, jobRuns, rowUsage, tableLoads } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { CRASH_MESSAGE } from "@/lib/jobs/crash";
import { runHeld } from "@/lib/jobs/lease";
import { listIntegrations } from "@/lib/integrations/list";
import type { TSyncStatus } from "@/lib/integrations/sync-status";
import { describeSchedule, scheduleFromColumns } from "@/lib/schedule/options";
import { explainFailure } from "./failure";

export type TDashboardIntegration = {
  id: string;
  name: string;
  schemaName: string;
  status: TSyncStatus;
  paused: boolean;
  schedule: string;
  lastStartedAt: string | null;
  nextRunAt: string | null;
  rows24h: number;
  lastError: string | null;
  /** The failed latest job loaded its other tables; only the named ones failed. */
  partialFailure: boolean;
  advice: string | null;
  activeJobId: string | null;
  activeJobStatus: "queued" | "running" | null;
};

export type TDashboard = { integrations: TDashboardIntegration[]; usage: { day: string; [integrationName: string]: number | string }[]; generatedAt: string };

/** Rows loaded per integration per day over the last 30 days (every day present, 0 when none). */
async function usageByDay(db: TDbOrTx, list: { id: string; name: string }[], now: Date): Promise<TDashboard["usage"]> {
  const ids = list.map((i) => i.id);
  const sinceDay = new Date(now.getTime() - 29 * 86_400_000).toISOString().slice(0, 10);
  const usageRows = await db
    .select({ integrationId: rowUsage.integrationId, day: rowUsage.day, rows: rowUsage.rows })
    .from(rowUsage)
    .where(and(inArray(rowUsage.integrationId, ids), gte(rowUsage.day, sinceDay)));
  const nameBy = new Map(list.map((i) => [i.id, i.name]));
  const usage: TDashboard["usage"] = [];
  for (let t = new Date(`${sinceDay}T00:00:00Z`).getTime(); t <= now.getTime(); t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    const entry: TDashboard["usage"][number] = { day };
    for (const i of list) entry[i.name] = 0;
    for (const u of usageRows) if (u.day === day) entry[nameBy.get(u.integrationId)!] = u.rows;
    usage.push(entry);
  }
  return usage;
}

/** Everything the dashboard shows, team-filtered; polled by the page so it updates without a reload. */
export async function dashboardSummary(db: TDbOrTx, teamId: string, now = new Date(), only?: string): Promise<TDashboard> {
  const list = (await listIntegrations(db, teamId)).filter((i) => !only || i.id === only);
  const ids = list.map((i) => i.id);
  if (ids.length === 0) return { integrations: [], usage: [], generatedAt: now.toISOString() };
  const rows = await db.select().from(integrations).where(and(eq(integrations.teamId, teamId), inArray(integrations.id, ids)));
  const rowBy = new Map(rows.map((r) => [r.id, r]));
  const since24h = new Date(now.getTime() - 24 * 3600_000);
  const rows24 = await db
    .select({ integrationId: tableLoads.integrationId, rows: sql<number>`coalesce(sum(${tableLoads.rowsInserted} + ${tableLoads.rowsUpdated} + ${tableLoads.rowsDeleted}), 0)::bigint`.mapWith(Number) })
    .from(tableLoads)
    .where(and(inArray(tableLoads.integrationId, ids), gte(sql`coalesce(${tableLoads.completedAt}, ${tableLoads.extractedAt})`, since24h)))
    .groupBy(tableLoads.integrationId);
  const rows24By = new Map(rows24.map((r) => [r.integrationId, r.rows]));
  const active = await db
    .selectDistinctOn([jobRuns.integrationId], {
      integrationId: jobRuns.integrationId,
      id: jobRuns.id,
      status: jobRuns.status,
      // A running job nobody holds (lease gone, heartbeat silent) is dead, whether or not a sweep ran yet.
      held: sql<boolean>`${runHeld(sql`${jobRuns.id}`, sql`${jobRuns.heartbeatAt}`)}`,
    })
    .from(jobRuns)
    .where(and(eq(jobRuns.teamId, teamId), inArray(jobRuns.status, ["queued", "running"])))
    .orderBy(jobRuns.integrationId, desc(jobRuns.queuedAt));
  const activeBy = new Map(active.map((a) => [a.integrationId, a]));
  const lastStart = await db
    .select({ integrationId: jobRuns.integrationId, startedAt: sql<Date | null>`max(${jobRuns.startedAt})`.mapWith((v: string | null) => (v ? new Date(v) : null)) })
    .from(jobRuns)
    // The last extraction: a Verify or Repair job does not move it.
    .where(and(eq(jobRuns.teamId, teamId), inArray(jobRuns.integrationId, ids), eq(jobRuns.kind, "extract")))
    .groupBy(jobRuns.integrationId);
  const lastStartBy = new Map(lastStart.map((l) => [l.integrationId, l.startedAt]));
  // The same latest job as the Sync Status's (listIntegrations): did its other tables load?
  const latest = await db
    .selectDistinctOn([jobRuns.integrationId], { integrationId: jobRuns.integrationId, partialFailure: jobRuns.partialFailure })
    .from(jobRuns)
    .where(and(eq(jobRuns.teamId, teamId), inArray(jobRuns.integrationId, ids)))
    .orderBy(jobRuns.integrationId, desc(jobRuns.queuedAt));
  const partialBy = new Map(latest.map((l) => [l.integrationId, l.partialFailure]));

  const usage = await usageByDay(db, list, now);

  return {
    generatedAt: now.toISOString(),
    usage,
    integrations: list.map((i) => {
      const row = rowBy.get(i.id)!;
      const found = activeBy.get(i.id);
      // No worker will end it: shown as what the sweep will make of it (with no worker alive, no sweep runs).
      const dead = i.status === "Running" && found?.status === "running" && !found.held;
      const act = dead ? undefined : found;
      const lastError = dead ? CRASH_MESSAGE : i.lastError;
      return {
        id: i.id,
        name: i.name,
        schemaName: i.schemaName,
        status: dead ? "Failed" : i.status,
        paused: row.paused,
        schedule: describeSchedule(scheduleFromColumns(row)),
        lastStartedAt: (lastStartBy.get(i.id) ?? null)?.toISOString() ?? null,
        nextRunAt: row.paused ? null : (row.nextRunAt?.toISOString() ?? null),
        rows24h: rows24By.get(i.id) ?? 0,
        lastError,
        partialFailure: i.status === "Failed" && (partialBy.get(i.id) ?? false),
        advice: explainFailure(lastError),
        activeJobId: act?.id ?? null,
        activeJobStatus: (act?.status as "queued" | "running" | undefined) ?? null,
      };
    }),
  };
}

/** One integration's status for the job controls (polled while the page is open). */
export async function integrationJobState(db: TDbOrTx, teamId: string, integrationId: string, now = new Date()): Promise<TDashboardIntegration> {
  const found = (await dashboardSummary(db, teamId, now, integrationId)).integrations[0];
  if (!found) throw new AppError("NOT_FOUND", "No such integration");
  return found;
}
