import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";
import type { TDb, TDbOrTx } from "@/db/client";
import { extractionLogLines, integrations, jobRuns, tableSelections, type TIntegration } from "@/db/schema";
import type { TAuditActor } from "@/lib/audit/record";
import { recordAudit } from "@/lib/audit/record";
import { inQueueTransaction } from "@/lib/audit/queue-transaction";
import { AppError } from "@/lib/errors";
import { getIntegration } from "@/lib/integrations/get";
import { EXTRACT_QUEUE_KINDS } from "@/lib/jobs/queue";
import { enqueueJob, requestStop } from "@/lib/jobs/runs";
import { freeQueueJobOfEndedRun, repairCrashedJobs } from "@/lib/jobs/sweep";
import { nextStartAt, previewStarts } from "./next-run";
import { describeSchedule, scheduleFromColumns, scheduleFromInput, scheduleToColumns, type TSchedule, type TScheduleParsed } from "./options";
import { lastScheduledStart, SCHEDULED_JOB_KIND } from "./scheduler";

export async function previewSchedule(db: TDbOrTx, teamId: string, input: TScheduleParsed, integrationId?: string, now = new Date()): Promise<{ starts: Date[]; description: string }> {
  const schedule = scheduleFromInput(input);
  let last: Date | null = null;
  if (integrationId) {
    await getIntegration(db, teamId, integrationId);
    last = await lastScheduledStart(db, integrationId);
  }
  return { starts: previewStarts(schedule, { now, lastStartedAt: last }), description: describeSchedule(schedule) };
}

/**
 * The schedule columns (and first start) for an integration being created: the connection form's action
 * spreads this into its insert.
 */
export function scheduleColumnsForNewIntegration(input: TScheduleParsed, now = new Date()) {
  const schedule = scheduleFromInput(input);
  return { ...scheduleToColumns(schedule), nextRunAt: nextStartAt(schedule, { now, lastStartedAt: null }) };
}

/**
 * For the Add Integration action: after the integration row is created, store the schedule chosen on the
 * connection form (parsed with ZOptionalScheduleInputSchema) and its first start.
 */
export async function applyScheduleToNewIntegration(db: TDbOrTx, teamId: string, integrationId: string, input: TScheduleParsed): Promise<void> {
  await db
    .update(integrations)
    .set(scheduleColumnsForNewIntegration(input))
    .where(and(eq(integrations.id, integrationId), eq(integrations.teamId, teamId)));
}

/** Saves an integration's schedule; its next start is recomputed at once (and shown on the dashboard). */
export async function saveIntegrationSchedule(db: TDb, actor: TAuditActor, integrationId: string, input: TScheduleParsed): Promise<{ schedule: TSchedule; nextRunAt: Date }> {
  const row = await getIntegration(db, actor.teamId, integrationId);
  const schedule = scheduleFromInput(input);
  const nextRunAt = nextStartAt(schedule, { now: new Date(), lastStartedAt: await lastScheduledStart(db, integrationId) });
  await db.transaction(async (tx) => {
    await tx
      .update(integrations)
      .set({ ...scheduleToColumns(schedule, row.frequencyMinutes), nextRunAt, updatedAt: new Date() })
      .where(and(eq(integrations.id, integrationId), eq(integrations.teamId, actor.teamId)));
    await recordAudit(tx, actor, {
      action: "integration.schedule_updated",
      objectType: "integration",
      objectId: integrationId,
      details: { name: row.name, before: describeSchedule(scheduleFromColumns(row)), after: describeSchedule(schedule) },
    });
  });
  return { schedule, nextRunAt };
}

/** Pause Integration stops scheduling (a running job finishes); Unpause computes the next start from now. */
export async function setIntegrationPaused(db: TDb, actor: TAuditActor, integrationId: string, paused: boolean): Promise<{ paused: boolean; nextRunAt: Date | null }> {
  const row = await getIntegration(db, actor.teamId, integrationId);
  const nextRunAt = paused ? row.nextRunAt : nextStartAt(scheduleFromColumns(row), { now: new Date(), lastStartedAt: await lastScheduledStart(db, integrationId) });
  await db.transaction(async (tx) => {
    await tx.update(integrations).set({ paused, nextRunAt, updatedAt: new Date() }).where(and(eq(integrations.id, integrationId), eq(integrations.teamId, actor.teamId)));
    await recordAudit(tx, actor, { action: paused ? "integration.paused" : "integration.unpaused", objectType: "integration", objectId: integrationId, details: { name: row.name } });
  });
  return { paused, nextRunAt };
}

async function activeRunOf(db: TDbOrTx, integrationId: string, kinds: readonly string[] = [SCHEDULED_JOB_KIND]) {
  const [run] = await db
    .select({ id: jobRuns.id, status: jobRuns.status })
    .from(jobRuns)
    .where(and(eq(jobRuns.integrationId, integrationId), inArray(jobRuns.kind, [...kinds]), inArray(jobRuns.status, ["queued", "running"])))
    .orderBy(desc(jobRuns.queuedAt))
    .limit(1);
  return run ?? null;
}

/** Run Extraction Now: one job per integration at a time, so a running or waiting job refuses a second. */
export async function runExtractionNow(db: TDb, boss: PgBoss, actor: TAuditActor, integrationId: string): Promise<{ jobRunId: string }> {
  const row: TIntegration = await getIntegration(db, actor.teamId, integrationId);
  // A job whose worker died (no lease, no heartbeat) must not refuse the click until the next sweep.
  await repairCrashedJobs(db, { boss, integrationId });
  const active = await activeRunOf(db, integrationId);
  if (active?.status === "running") throw new AppError("CONFLICT", "An extraction is already running for this integration. Wait for it to finish, or use Stop Extraction.");
  // A job already waiting to start (e.g. the schedule's) is the one the user asked for: no second job.
  if (active) return { jobRunId: active.id };
  const [tracked] = await db
    .select({ id: tableSelections.id })
    .from(tableSelections)
    .where(and(eq(tableSelections.integrationId, integrationId), sql`(${tableSelections.finalized}->>'tracked')::boolean`))
    .limit(1);
  if (!tracked) throw new AppError("VALIDATION", "Nothing to extract yet: track tables under Tables to Replicate and Finalize Your Selections first.");
  // The run row, its queue job and the audit event commit together.
  const res = await inQueueTransaction(db, async (tx, queueDb) => {
    const r = await enqueueJob(tx, boss, { teamId: actor.teamId, integrationId, kind: SCHEDULED_JOB_KIND, trigger: "manual" }, { queueDb });
    if (r.enqueued) await recordAudit(tx, actor, { action: "job.run_now", objectType: "integration", objectId: integrationId, details: { name: row.name, jobRunId: r.jobRunId } });
    return r;
  });
  if (!res.enqueued) throw new AppError("CONFLICT", `${res.reason}.`);
  return { jobRunId: res.jobRunId };
}

/**
 * Stop Extraction: the running job ends after its current batch, with the bookmarks it committed. A job
 * that had not started, or whose worker died, frees its queue job at once (through `boss`), so that the
 * integration's next job can start; a job a live worker holds (its lease tells) is left to that worker.
 */
export async function stopExtraction(db: TDb, boss: PgBoss, actor: TAuditActor, integrationId: string): Promise<{ jobRunId: string }> {
  const row = await getIntegration(db, actor.teamId, integrationId);
  // Verify and Repair run in the extract queue too: Stop Extraction ends them the same way.
  const run = await activeRunOf(db, integrationId, EXTRACT_QUEUE_KINDS);
  if (!run) throw new AppError("CONFLICT", "No extraction is running for this integration.");
  // A job no worker has picked up yet ends at once (the worker skips it); a running one after its batch.
  const ended = await db.transaction(async (tx) => {
    const stopped = await tx
      .update(jobRuns)
      .set({ status: "stopped", stopRequestedAt: new Date(), finishedAt: new Date() })
      .where(and(eq(jobRuns.id, run.id), eq(jobRuns.status, "queued")))
      .returning({ id: jobRuns.id });
    if (stopped.length > 0) {
      await tx.insert(extractionLogLines).values({ jobRunId: run.id, location: "main", level: "WARNING", message: "Extraction stopped on request before it started" });
    } else {
      await requestStop(tx, run.id);
    }
    await recordAudit(tx, actor, { action: "job.stop_requested", objectType: "integration", objectId: integrationId, details: { name: row.name, jobRunId: run.id } });
    return stopped;
  });
  if (ended.length > 0) await freeQueueJobOfEndedRun(db, run.id, { boss });
  await repairCrashedJobs(db, { boss, integrationId });
  return { jobRunId: run.id };
}
