import { and, eq, inArray, like, sql, type SQL } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { z } from "zod";
import type { TDbOrTx } from "@/db/client";
import { extractionLogLines, jobRuns, tableLoads } from "@/db/schema";
import { CRASH_MESSAGE, HANDOFF_CRASH_MESSAGE as HANDOFF_MESSAGE } from "./crash";
import { DEAD_AFTER_MS, leaseHeld, runHeld } from "./lease";

const NEVER_PICKED_MESSAGE = "This job was queued but never picked up by a worker; start it again with Run Extraction Now.";

export type TSweepOptions = {
  boss?: PgBoss;
  /**
   * A run without a lease is only dead once its heartbeat is this old too: a worker that merely lost its
   * lease connection keeps heartbeating while it ends the job at its next step, and must not find another
   * worker already running the integration's next job.
   */
  staleHeartbeatMs?: number;
  /** How long a fetched queue job may wait for its worker to take the lease (one round trip when healthy). */
  handoffGraceMs?: number;
  /** How long a queued run may lack a queue job (the two are written one after the other). */
  orphanGraceMs?: number;
  /** How far to push back a waiting job whose integration has one active (a little over the sweep period). */
  deferBlockedMs?: number;
  onQueueJobFreed?: (detail: { queue: string; queueJobId: string; reason: string }) => void;
  /** Only this integration's runs and queue jobs (Run Extraction Now and Stop Extraction repair their own at once). */
  integrationId?: string;
};

const ZFailedRow = z.object({ id: z.string(), queue: z.string().nullable(), queue_job_id: z.string().nullable() });
const ZQueueRow = z.object({ queue: z.string(), queue_job_id: z.string() });
type TFailedRow = z.infer<typeof ZFailedRow>;

const secs = (ms: number) => sql`make_interval(secs => ${ms / 1000})`;

/**
 * Repairs every state a worker's death can leave, whichever moment it died at:
 * - run `running`, nobody holds its lease and its heartbeat stopped → failed; its queue job failed; its table loads closed;
 * - run `queued`, queue job `active` (the worker died between fetching and starting) → the same;
 * - queue job `active` whose run already ended (e.g. Stop Extraction on such a job) → queue job failed,
 *   which the queue's one-active-per-integration rule would otherwise keep blocking for 12 hours;
 * - run `queued` with no queue job at all → failed.
 * Runs are only failed, never re-run here: the integration's next job (schedule or Run Extraction Now)
 * resumes from the bookmarks committed with the data. Returns how many runs were failed.
 */
export async function repairCrashedJobs(db: TDbOrTx, opts: TSweepOptions = {}): Promise<number> {
  const grace = opts.handoffGraceMs ?? 5_000;
  const scope = scopeOf(opts.integrationId);
  const dead = await db.execute(sql`
    UPDATE job_runs r SET status = 'failed', finished_at = now(), error = ${CRASH_MESSAGE}
    WHERE r.status = 'running' AND ${scope.run} AND NOT ${runHeld(sql`r.id`, sql`r.heartbeat_at`, opts.staleHeartbeatMs ?? DEAD_AFTER_MS)}
    RETURNING r.id::text AS id, (SELECT j.name FROM pgboss.job j WHERE j.id = r.queue_job_id::uuid) AS queue, r.queue_job_id`);
  const handoff = await db.execute(sql`
    UPDATE job_runs r SET status = 'failed', finished_at = now(), error = ${HANDOFF_MESSAGE}
    FROM pgboss.job j
    WHERE r.status = 'queued' AND ${scope.run} AND j.state = 'active' AND j.data->>'jobRunId' = r.id::text
      AND j.started_on < now() - ${secs(grace)} AND NOT ${leaseHeld(sql`r.id`)}
    RETURNING r.id::text AS id, j.name AS queue, j.id::text AS queue_job_id`);
  const deadRows = z.array(ZFailedRow).parse(dead.rows);
  const handoffRows = z.array(ZFailedRow).parse(handoff.rows);
  await closeCrashedRuns(db, deadRows, CRASH_MESSAGE, opts);
  await closeCrashedRuns(db, handoffRows, HANDOFF_MESSAGE, opts);
  await freeFinishedQueueJobs(db, grace, opts, scope.queue);
  await deferBlockedQueueJobs(db, opts.deferBlockedMs ?? 3_000);
  const orphans = await failOrphanedQueuedRuns(db, opts.orphanGraceMs ?? 30_000, scope.run);
  return deadRows.length + handoffRows.length + orphans;
}

/** SQL conditions on a run `r` and on a queue job `j` (left-joined to its run `r`) for one integration, or all. */
function scopeOf(integrationId: string | undefined): { run: SQL; queue: SQL } {
  if (!integrationId) return { run: sql`true`, queue: sql`true` };
  return { run: sql`r.integration_id = ${integrationId}::uuid`, queue: sql`(r.integration_id = ${integrationId}::uuid OR j.singleton_key = ${integrationId})` };
}

/**
 * Stop Extraction ended `runId` before it started: its queue job (waiting, or fetched by a worker that
 * died before taking it) is failed at once rather than at the next sweep, unless a worker holds the run's
 * lease — that worker sees the run ended and completes the queue job itself.
 */
export async function freeQueueJobOfEndedRun(db: TDbOrTx, runId: string, opts: TSweepOptions): Promise<boolean> {
  const res = await db.execute(sql`
    SELECT j.name AS queue, j.id::text AS queue_job_id
    FROM pgboss.job j JOIN job_runs r ON r.id::text = j.data->>'jobRunId'
    WHERE r.id = ${runId}::uuid AND r.status NOT IN ('queued', 'running') AND j.state IN ('created', 'retry', 'active')
      AND NOT ${leaseHeld(sql`r.id`)}`);
  const rows = z.array(ZQueueRow).parse(res.rows);
  for (const r of rows) await failQueueJob(r.queue, r.queue_job_id, "its run was stopped before it started", opts);
  return rows.length > 0;
}

async function closeCrashedRuns(db: TDbOrTx, rows: TFailedRow[], message: string, opts: TSweepOptions): Promise<void> {
  if (rows.length === 0) return;
  // The queue job first: until it is failed, the integration's next job cannot become active.
  for (const r of rows) if (r.queue && r.queue_job_id) await failQueueJob(r.queue, r.queue_job_id, "worker stopped responding", opts);
  const ids = rows.map((r) => r.id);
  // The Loading Report would show these tables "running" forever.
  await db
    .update(tableLoads)
    .set({ status: "failed", completedAt: new Date(), error: message })
    .where(and(inArray(tableLoads.jobRunId, ids), inArray(tableLoads.status, ["pending", "running"])));
  await db.insert(extractionLogLines).values(ids.map((jobRunId) => ({ jobRunId, location: "main" as const, level: "CRITICAL" as const, message })));
}

async function failQueueJob(queue: string, queueJobId: string, reason: string, opts: TSweepOptions): Promise<void> {
  if (!opts.boss) return;
  await opts.boss.fail(queue, queueJobId, { reason });
  opts.onQueueJobFreed?.({ queue, queueJobId, reason });
}

/** Active queue jobs nobody works on whose run has ended (or is gone): without this the integration's next job could never become active. */
async function freeFinishedQueueJobs(db: TDbOrTx, graceMs: number, opts: TSweepOptions, scope: SQL): Promise<void> {
  const res = await db.execute(sql`
    SELECT j.name AS queue, j.id::text AS queue_job_id
    FROM pgboss.job j LEFT JOIN job_runs r ON r.id::text = j.data->>'jobRunId'
    WHERE j.state = 'active' AND j.data ? 'jobRunId' AND ${scope}
      AND (r.id IS NULL OR r.status NOT IN ('queued', 'running'))
      AND greatest(j.started_on, r.finished_at) < now() - ${secs(graceMs)}
      AND NOT ${leaseHeld(sql`j.data->>'jobRunId'`)}`);
  for (const r of z.array(ZQueueRow).parse(res.rows)) await failQueueJob(r.queue, r.queue_job_id, "its run had already ended", opts);
}

/**
 * pg-boss fetches the oldest waiting job even when its integration already has one active; the fetch then
 * fails on the queue's unique key, for every consumer, so one integration would hold back all the others.
 * Such a job starts a little later instead, until its predecessor is done (or freed above).
 */
async function deferBlockedQueueJobs(db: TDbOrTx, deferMs: number): Promise<void> {
  await db.execute(sql`
    UPDATE pgboss.job c SET start_after = now() + ${secs(deferMs)}
    WHERE c.state IN ('created', 'retry') AND c.policy = 'stately' AND c.start_after < now() + ${secs(deferMs / 2)}
      AND EXISTS (SELECT 1 FROM pgboss.job a WHERE a.name = c.name AND a.state = 'active' AND a.singleton_key = c.singleton_key)`);
}

/** A run still "queued" whose queue job is gone (or was never sent: the process died between the two writes) would never start. */
async function failOrphanedQueuedRuns(db: TDbOrTx, olderThanMs: number, scope: SQL): Promise<number> {
  const res = await db.execute(sql`
    UPDATE job_runs r SET status = 'failed', finished_at = now(), error = ${NEVER_PICKED_MESSAGE}
    WHERE r.status = 'queued' AND ${scope} AND r.queued_at < now() - ${secs(olderThanMs)}
      AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE (j.id::text = r.queue_job_id OR j.data->>'jobRunId' = r.id::text) AND j.state IN ('created', 'retry', 'active'))
    RETURNING r.id::text AS id`);
  const rows = z.array(z.object({ id: z.string() })).parse(res.rows);
  if (rows.length > 0) await db.insert(extractionLogLines).values(rows.map((r) => ({ jobRunId: r.id, location: "main" as const, level: "CRITICAL" as const, message: NEVER_PICKED_MESSAGE })));
  return rows.length;
}

/** Closes the table loads that earlier versions left "running" under runs failed as abandoned (run once at start). */
export async function closeLoadsOfAbandonedRuns(db: TDbOrTx): Promise<number> {
  const rows = await db
    .update(tableLoads)
    .set({ status: "failed", completedAt: new Date(), error: CRASH_MESSAGE })
    .where(
      and(
        inArray(tableLoads.status, ["pending", "running"]),
        inArray(tableLoads.jobRunId, db.select({ id: jobRuns.id }).from(jobRuns).where(and(eq(jobRuns.status, "failed"), like(jobRuns.error, "%stopped responding%")))),
      ),
    )
    .returning({ id: tableLoads.id });
  return rows.length;
}
