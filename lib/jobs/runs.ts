import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";
import type { TDb, TDbOrTx } from "@/db/client";
import { jobRuns, type TJobRun } from "@/db/schema";
import { ensureQueue } from "./queue";

export type TEnqueueInput = {
  teamId: string;
  integrationId: string | null;
  kind: string;
  trigger: "schedule" | "manual" | "test";
  scheduledFor?: Date;
};

export type TEnqueueResult = { enqueued: true; jobRunId: string } | { enqueued: false; reason: string };

/**
 * Records a queued run and sends it. One job per integration may wait (the queue's singleton key),
 * so a second request while one is queued is refused rather than doubled.
 */
export async function enqueueJob(
  db: TDb,
  boss: PgBoss,
  input: TEnqueueInput,
  // With `db` bound to an open transaction, pass the same connection so the queue row commits (or rolls
  // back) together with the run row: the scheduler relies on that to start each slot exactly once.
  opts: { queueDb?: PgBoss.Db } = {},
): Promise<TEnqueueResult> {
  await ensureQueue(boss, input.kind);
  const [run] = await db
    .insert(jobRuns)
    .values({ teamId: input.teamId, integrationId: input.integrationId, kind: input.kind, trigger: input.trigger, scheduledFor: input.scheduledFor })
    .returning({ id: jobRuns.id });
  if (!run) throw new Error("Could not record the job run");
  const queueJobId = await boss.send(input.kind, { jobRunId: run.id }, { singletonKey: input.integrationId ?? run.id, ...(opts.queueDb ? { db: opts.queueDb } : {}) });
  if (!queueJobId) {
    await db.delete(jobRuns).where(eq(jobRuns.id, run.id));
    return { enqueued: false, reason: "A job for this integration is already waiting to run" };
  }
  await db.update(jobRuns).set({ queueJobId }).where(eq(jobRuns.id, run.id));
  return { enqueued: true, jobRunId: run.id };
}

export async function getJobRun(db: TDbOrTx, id: string): Promise<TJobRun | undefined> {
  const [run] = await db.select().from(jobRuns).where(eq(jobRuns.id, id)).limit(1);
  return run;
}

/** Asks a running job to end after its current step. */
export async function requestStop(db: TDbOrTx, jobRunId: string): Promise<void> {
  await db
    .update(jobRuns)
    .set({ stopRequestedAt: new Date() })
    .where(and(eq(jobRuns.id, jobRunId), inArray(jobRuns.status, ["queued", "running"])));
}

/**
 * Runs whose worker stopped heartbeating (killed, machine lost) are failed so their integration can run
 * again; the next job resumes from the last committed bookmark.
 */
export async function failAbandonedRuns(db: TDbOrTx, staleAfterMs: number, boss?: PgBoss): Promise<number> {
  const rows = await db
    .update(jobRuns)
    .set({ status: "failed", finishedAt: new Date(), error: "The worker running this job stopped responding; the next job resumes from the last saved bookmark." })
    .where(and(eq(jobRuns.status, "running"), lt(jobRuns.heartbeatAt, sql`now() - make_interval(secs => ${staleAfterMs / 1000})`)))
    .returning({ id: jobRuns.id, kind: jobRuns.kind, queueJobId: jobRuns.queueJobId });
  // The dead worker's queue job stays "active" until it expires (hours), and the queue's one-active-per-
  // integration rule would hold every later job of the integration back until then: fail it now.
  if (boss) {
    for (const r of rows) if (r.queueJobId) await boss.fail(r.kind, r.queueJobId, { reason: "worker stopped responding" }).catch(() => undefined);
  }
  return rows.length + (await failOrphanedQueuedRuns(db));
}

/**
 * A run still "queued" whose queue job is gone (archived, deleted, or never sent because the process died
 * between the two writes) would never start and would block its integration's schedule: fail it, saying why.
 */
async function failOrphanedQueuedRuns(db: TDbOrTx, olderThanMs = 10 * 60_000): Promise<number> {
  const rows = await db
    .update(jobRuns)
    .set({ status: "failed", finishedAt: new Date(), error: "This job was queued but never picked up by a worker; start it again with Run Extraction Now." })
    .where(
      and(
        eq(jobRuns.status, "queued"),
        lt(jobRuns.queuedAt, sql`now() - make_interval(secs => ${olderThanMs / 1000})`),
        sql`NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.id::text = ${jobRuns.queueJobId} AND j.state IN ('created', 'retry', 'active'))`,
      ),
    )
    .returning({ id: jobRuns.id });
  return rows.length;
}
