import { and, eq, inArray } from "drizzle-orm";
import type PgBoss from "pg-boss";
import type { TDb, TDbOrTx } from "@/db/client";
import { jobRuns, type TJobRun } from "@/db/schema";
import { ensureQueue, queueOfKind } from "./queue";
import { repairCrashedJobs } from "./sweep";

export type TEnqueueInput = {
  teamId: string;
  integrationId: string | null;
  kind: string;
  trigger: "schedule" | "manual" | "test";
  scheduledFor?: Date;
};

export type TEnqueueResult = { enqueued: true; jobRunId: string } | { enqueued: false; reason: string };

/**
 * Records a queued run and sends it to its kind's queue (Verify and Repair share the extract queue).
 * One job per integration may wait (the queue's singleton key), so a second request while one is queued
 * is refused rather than doubled.
 */
export async function enqueueJob(
  db: TDb,
  boss: PgBoss,
  input: TEnqueueInput,
  // With `db` bound to an open transaction, pass the same connection so the queue row commits (or rolls
  // back) together with the run row: the scheduler relies on that to start each slot exactly once.
  opts: { queueDb?: PgBoss.Db } = {},
): Promise<TEnqueueResult> {
  const queue = queueOfKind(input.kind);
  await ensureQueue(boss, queue);
  const [run] = await db
    .insert(jobRuns)
    .values({ teamId: input.teamId, integrationId: input.integrationId, kind: input.kind, trigger: input.trigger, scheduledFor: input.scheduledFor })
    .returning({ id: jobRuns.id });
  if (!run) throw new Error("Could not record the job run");
  const queueJobId = await boss.send(queue, { jobRunId: run.id }, { singletonKey: input.integrationId ?? run.id, ...(opts.queueDb ? { db: opts.queueDb } : {}) });
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
 * Fails the runs whose worker died and frees their queue jobs (see repairCrashedJobs); `handoffGraceMs`
 * is how long a fetched queue job may wait for its worker to start it, and a lease-less run's heartbeat
 * may be silent.
 */
export async function failAbandonedRuns(db: TDbOrTx, handoffGraceMs: number, boss?: PgBoss): Promise<number> {
  return repairCrashedJobs(db, { boss, handoffGraceMs, staleHeartbeatMs: handoffGraceMs });
}
