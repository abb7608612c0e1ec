import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";
import type { TDb } from "@/db/client";
import { integrations, jobRuns, tableSelections } from "@/db/schema";
import { inQueueTransaction } from "@/lib/audit/queue-transaction";
import { recordAudit, type TAuditActor } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { getIntegration } from "@/lib/integrations/get";
import { enqueueJob } from "@/lib/jobs/runs";
import { REPAIR_JOB_KIND, VERIFY_JOB_KIND } from "./job";

export type TVerifyJobKind = typeof VERIFY_JOB_KIND | typeof REPAIR_JOB_KIND;

const NAMES: Record<TVerifyJobKind, string> = { verify: "Verify", repair: "Repair" };

/**
 * The `Verify` and `Repair` buttons: enqueue a job of that kind in the integration's extract queue, so it
 * starts once a running job (extraction or not) has ended. The same kind already waiting is the job the
 * user asked for; another job waiting means this one cannot wait too (one per integration).
 */
export async function startVerifyJob(db: TDb, boss: PgBoss, actor: TAuditActor, integrationId: string, kind: TVerifyJobKind): Promise<{ jobRunId: string; afterRunning: boolean }> {
  const row = await getIntegration(db, actor.teamId, integrationId);
  const active = await db
    .select({ id: jobRuns.id, kind: jobRuns.kind, status: jobRuns.status })
    .from(jobRuns)
    .where(and(eq(jobRuns.integrationId, integrationId), inArray(jobRuns.status, ["queued", "running"])))
    .orderBy(desc(jobRuns.queuedAt));
  const waiting = active.find((r) => r.status === "queued" && r.kind === kind);
  if (waiting) return { jobRunId: waiting.id, afterRunning: active.some((r) => r.status === "running") };
  const [tracked] = await db
    .select({ id: tableSelections.id })
    .from(tableSelections)
    .where(and(eq(tableSelections.integrationId, integrationId), sql`(${tableSelections.finalized}->>'tracked')::boolean`))
    .limit(1);
  if (!tracked) throw new AppError("VALIDATION", `Nothing to ${NAMES[kind].toLowerCase()} yet: track tables under Tables to Replicate and Finalize Your Selections first.`);
  // The run row, its queue job and the audit event commit together.
  const res = await inQueueTransaction(db, async (tx, queueDb) => {
    const r = await enqueueJob(tx, boss, { teamId: actor.teamId, integrationId, kind, trigger: "manual" }, { queueDb });
    if (r.enqueued) await recordAudit(tx, actor, { action: `job.${kind}_now`, objectType: "integration", objectId: integrationId, details: { name: row.name, jobRunId: r.jobRunId } });
    return r;
  });
  if (!res.enqueued) throw new AppError("CONFLICT", `${res.reason}; ${NAMES[kind]} can start once it has run.`);
  return { jobRunId: res.jobRunId, afterRunning: active.some((r) => r.status === "running") };
}

/** Settings → `Verify after each job`: on, a successful extraction is followed by a Verify. Audited. */
export async function setVerifyAfterJob(db: TDb, actor: TAuditActor, integrationId: string, on: boolean): Promise<{ verifyAfterJob: boolean }> {
  const row = await getIntegration(db, actor.teamId, integrationId);
  if (row.verifyAfterJob === on) return { verifyAfterJob: on };
  await db.transaction(async (tx) => {
    await tx.update(integrations).set({ verifyAfterJob: on, updatedAt: new Date() }).where(and(eq(integrations.id, integrationId), eq(integrations.teamId, actor.teamId)));
    await recordAudit(tx, actor, { action: "integration.verify_after_job", objectType: "integration", objectId: integrationId, details: { name: row.name, before: row.verifyAfterJob, after: on } });
  });
  return { verifyAfterJob: on };
}
