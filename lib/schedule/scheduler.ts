import { and, desc, eq, inArray, isNotNull, isNull, lte, ne, or, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import type pg from "pg";
import type PgBoss from "pg-boss";
import * as schema from "@/db/schema";
import type { TDb, TDbOrTx } from "@/db/client";
import { enqueueJob } from "@/lib/jobs/runs";
import { removeExpiredLogs } from "@/lib/maintenance/log-retention";
import { decideDueSlot, nextStartAt } from "./next-run";
import { scheduleFromColumns } from "./options";

const { extractionLogLines, integrations, jobRuns, tableSelections } = schema;

/** The job kind scheduled starts enqueue (the extraction engine's handler). */
export const SCHEDULED_JOB_KIND = "extract";

export type TSchedulerEvent =
  | { event: "schedule.started"; integrationId: string; slot: Date; jobRunId: string; nextRunAt: Date }
  | { event: "schedule.skipped"; integrationId: string; slot: Date; reason: string; nextRunAt: Date }
  | { event: "schedule.error"; error: string }
  | { event: "logs.expired"; lines: number; jobs: number };

export type TSchedulerOptions = {
  pool: pg.Pool;
  boss: PgBoss;
  tickMs?: number;
  /** Due integrations claimed per transaction. */
  batch?: number;
  retentionEveryMs?: number;
  onEvent?: (e: TSchedulerEvent) => void;
};

export type TScheduler = { tick(): Promise<void>; stop(): Promise<void> };

/** When the integration's last extract job started (the schedule counts from it). */
export async function lastScheduledStart(db: TDbOrTx, integrationId: string): Promise<Date | null> {
  const [row] = await db
    .select({ startedAt: jobRuns.startedAt })
    .from(jobRuns)
    .where(and(eq(jobRuns.integrationId, integrationId), eq(jobRuns.kind, SCHEDULED_JOB_KIND), isNotNull(jobRuns.startedAt)))
    .orderBy(desc(jobRuns.startedAt))
    .limit(1);
  return row?.startedAt ?? null;
}

async function activeJobOf(db: TDbOrTx, integrationId: string): Promise<{ id: string; status: "running" | "queued" } | null> {
  const [row] = await db
    .select({ id: jobRuns.id, status: jobRuns.status })
    .from(jobRuns)
    .where(and(eq(jobRuns.integrationId, integrationId), eq(jobRuns.kind, SCHEDULED_JOB_KIND), inArray(jobRuns.status, ["running", "queued"])))
    .orderBy(desc(jobRuns.queuedAt))
    .limit(1);
  return row ? { id: row.id, status: row.status as "running" | "queued" } : null;
}

async function dbNow(db: TDbOrTx): Promise<Date> {
  const res = await db.execute<{ now: Date | string }>(sql`select now() as now`);
  return new Date(res.rows[0]!.now);
}

/** Gives integrations without a next start (new, or just unpaused) their first one. Idempotent. */
export async function initializeNextRuns(db: TDb): Promise<number> {
  const rows = await db
    .select()
    .from(integrations)
    .where(and(isNull(integrations.nextRunAt), eq(integrations.paused, false)))
    .limit(100);
  if (rows.length === 0) return 0;
  const now = await dbNow(db);
  let n = 0;
  for (const row of rows) {
    const next = nextStartAt(scheduleFromColumns(row), { now, lastStartedAt: await lastScheduledStart(db, row.id) });
    const res = await db
      .update(integrations)
      .set({ nextRunAt: next })
      .where(and(eq(integrations.id, row.id), isNull(integrations.nextRunAt)));
    n += res.rowCount ?? 0;
  }
  return n;
}

/**
 * Frequency mode counts from the previous job's real start: once a job has started (scheduled or Run
 * Extraction Now), the next start is that start + frequency. Only ever moves a start later.
 */
export async function rebaseFrequencySchedules(db: TDb): Promise<number> {
  const res = await db.execute(sql`
    UPDATE ${integrations} i
       SET next_run_at = r.started_at + make_interval(mins => i.frequency_minutes)
      FROM (SELECT DISTINCT ON (integration_id) integration_id, started_at
              FROM ${jobRuns}
             WHERE started_at IS NOT NULL AND kind = ${SCHEDULED_JOB_KIND}
             ORDER BY integration_id, started_at DESC) r
     WHERE r.integration_id = i.id
       AND i.schedule_mode = 'frequency'
       AND NOT i.paused
       AND i.next_run_at IS NOT NULL
       AND i.next_run_at < r.started_at + make_interval(mins => i.frequency_minutes)`);
  return res.rowCount ?? 0;
}

/** Anchor and cron slots that came due before any table was selected move on to their next time. */
async function rollForwardUnselected(db: TDb, ids: string[], now: Date): Promise<void> {
  for (const id of ids) {
    const [row] = await db.select().from(integrations).where(eq(integrations.id, id));
    if (!row) continue;
    await db.update(integrations).set({ nextRunAt: nextStartAt(scheduleFromColumns(row), { now, lastStartedAt: null }) }).where(eq(integrations.id, id));
  }
}

// Qualified by hand: inside a select drizzle renders ${integrations.id} unqualified, which would bind to s.id.
const hasTrackedTables = sql<boolean>`exists (select 1 from ${tableSelections} s where s.integration_id = "integrations"."id" and (s.finalized->>'tracked')::boolean)`;

/**
 * Claims due integrations and starts (or skips) one job for each slot. Rows are locked FOR UPDATE SKIP
 * LOCKED and the run row, its queue job and the next start commit in one transaction, so with several
 * workers, or a worker killed half-way, every slot leads to exactly one start.
 */
export async function claimDueSlots(opts: { pool: pg.Pool; boss: PgBoss; batch?: number; onEvent?: (e: TSchedulerEvent) => void }): Promise<number> {
  const client = await opts.pool.connect();
  const emitted: TSchedulerEvent[] = [];
  try {
    const db = drizzle(client, { schema }) as TDb;
    await client.query("BEGIN");
    const now = await dbNow(db);
    const due = await db
      .select({ row: integrations, tracked: hasTrackedTables })
      .from(integrations)
      // A frequency schedule without selections stays due without being claimed (its first job starts once
      // tables are finalized); anchor and cron ones are claimed so they move on to their next time.
      .where(and(eq(integrations.paused, false), lte(integrations.nextRunAt, now), or(ne(integrations.scheduleMode, "frequency"), hasTrackedTables)))
      .orderBy(integrations.nextRunAt)
      .limit(opts.batch ?? 20)
      .for("update", { of: integrations, skipLocked: true });
    const unselected: string[] = [];
    for (const { row, tracked } of due) {
      const slot = row.nextRunAt!;
      if (!tracked) {
        unselected.push(row.id);
        continue;
      }
      const schedule = scheduleFromColumns(row);
      const active = await activeJobOf(db, row.id);
      const decision = decideDueSlot(schedule, { now, lastStartedAt: await lastScheduledStart(db, row.id), activeJob: active?.status ?? null });
      if (decision.action === "skip" && active) {
        await db.insert(extractionLogLines).values({
          jobRunId: active.id,
          location: "main",
          level: "WARNING",
          message: `Scheduled start at ${slot.toISOString()} skipped: ${decision.reason}. Next scheduled start: ${decision.nextRunAt.toISOString()}.`,
        });
        emitted.push({ event: "schedule.skipped", integrationId: row.id, slot, reason: decision.reason, nextRunAt: decision.nextRunAt });
      } else {
        const res = await enqueueJob(
          db,
          opts.boss,
          { teamId: row.teamId, integrationId: row.id, kind: SCHEDULED_JOB_KIND, trigger: "schedule", scheduledFor: slot },
          { queueDb: { executeSql: (text, values) => client.query(text, values) } },
        );
        if (res.enqueued) emitted.push({ event: "schedule.started", integrationId: row.id, slot, jobRunId: res.jobRunId, nextRunAt: decision.nextRunAt });
        else emitted.push({ event: "schedule.skipped", integrationId: row.id, slot, reason: res.reason, nextRunAt: decision.nextRunAt });
      }
      await db.update(integrations).set({ nextRunAt: decision.nextRunAt }).where(eq(integrations.id, row.id));
    }
    if (unselected.length > 0) await rollForwardUnselected(db, unselected, now);
    await client.query("COMMIT");
    for (const e of emitted) opts.onEvent?.(e);
    return emitted.length;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The worker's schedule loop: one tick a second by default, every step safe to run in several workers. */
export function startScheduler(opts: TSchedulerOptions): TScheduler {
  const db = drizzle(opts.pool, { schema }) as TDb;
  const tickMs = opts.tickMs ?? 1000;
  const retentionEveryMs = opts.retentionEveryMs ?? 60 * 60 * 1000;
  const emit = opts.onEvent ?? (() => undefined);
  let lastRetention = 0;
  let stopped = false;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;

  const tick = async (): Promise<void> => {
    await initializeNextRuns(db);
    await rebaseFrequencySchedules(db);
    // Claim until nothing is due (a batch at a time).
    const batch = opts.batch ?? 20;
    for (let i = 0; i < 50; i++) if ((await claimDueSlots({ ...opts, batch, onEvent: emit })) < batch) break;
    if (Date.now() - lastRetention >= retentionEveryMs) {
      lastRetention = Date.now();
      const removed = await removeExpiredLogs(db);
      if (removed.lines > 0 || removed.jobs > 0) emit({ event: "logs.expired", ...removed });
    }
  };

  const loop = (): void => {
    if (stopped) return;
    running = tick()
      .catch((err: unknown) => emit({ event: "schedule.error", error: errorText(err) }))
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(loop, tickMs);
      });
  };
  timer = setTimeout(loop, 0);

  return {
    tick: () => tick(),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // drizzle wraps the driver's error; its cause says what PostgreSQL objected to.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message.split("\n")[0]}${cause}`;
}
