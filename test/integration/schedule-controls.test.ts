import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { auditEvents, integrations, jobRuns, tableLoads, tableStates } from "@/db/schema";
import { startQueue } from "@/lib/jobs/queue";
import { startWorker, type TWorker } from "@/lib/jobs/worker";
import { runExtractJob } from "@/lib/replication/extract-job";
import { runExtractionNow, saveIntegrationSchedule, setIntegrationPaused, stopExtraction } from "@/lib/schedule/save";
import { ZScheduleInputSchema } from "@/lib/schedule/options";
import type { TAuditActor } from "@/lib/audit/record";
import { createEngineWorld, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";
import { waitFor } from "../support/wait";

describe("job controls against a real worker and the real extract handler", () => {
  let w: TEngineWorld;
  let boss: PgBoss;
  let worker: TWorker;
  let actor: TAuditActor;
  const ROWS = 120_000;

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Stoppable" });
    await sqlOn(w.sourceUrl, `CREATE TABLE items (id int PRIMARY KEY, note text); INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, ${ROWS}) g;`);
    await selectTable(w, { name: "items" }, { method: "key_based", replicationKey: ["id"] });
    boss = await startQueue(w.app.url);
    // Small batches: the job must still be running when Stop Extraction arrives, even on a busy machine.
    worker = await startWorker({ db: w.app.db, boss, workerId: "controls", heartbeatMs: 100, handlers: { extract: (ctx) => runExtractJob(ctx, { batchRows: 400 }) } });
    actor = { teamId: w.teamId, userId: null, email: "tester@example.com" };
  });
  afterAll(async () => {
    await worker?.stop();
    await w?.close();
  });

  const runOf = async (id: string) => (await w.app.db.select().from(jobRuns).where(eq(jobRuns.id, id)))[0]!;

  it("Stop Extraction ends the running job after a batch; bookmark, destination and state agree; the next job completes the table", async () => {
    const { jobRunId } = await runExtractionNow(w.app.db, boss, actor, w.integration.id);
    await waitFor(async () => {
      const [load] = await w.app.db.select().from(tableLoads).where(eq(tableLoads.jobRunId, jobRunId));
      return load && load.rowsDone > 0;
    });
    // A second Run Extraction Now while one runs is refused, not doubled.
    await expect(runExtractionNow(w.app.db, boss, actor, w.integration.id)).rejects.toThrow(/already running for this integration/);
    await stopExtraction(w.app.db, boss, actor, w.integration.id);
    const stopped = await waitFor(async () => {
      const r = await runOf(jobRunId);
      return r.status !== "running" && r.status !== "queued" ? r : undefined;
    });
    expect(stopped.status).toBe("stopped");
    expect(stopped.error).toBeNull();

    const [load] = await w.app.db.select().from(tableLoads).where(eq(tableLoads.jobRunId, jobRunId));
    expect(load!.status).toBe("stopped");
    const [dest] = await sqlOn(w.destUrl, `SELECT count(*) AS n, max(id)::text AS max FROM "${w.schema}".items`);
    const copied = Number(dest!.n);
    expect(copied).toBeGreaterThan(0);
    expect(copied).toBeLessThan(ROWS);
    // Exactly the rows up to the bookmark are in the destination: nothing half-written, no gap.
    expect(load!.maxBookmark).toBe(dest!.max);
    expect(copied).toBe(Number(dest!.max));
    const [state] = await w.app.db.select().from(tableStates).where(eq(tableStates.integrationId, w.integration.id));
    expect(state!.state).toMatchObject({ method: "key_based", bookmark: [dest!.max] });

    const next = await runExtractionNow(w.app.db, boss, actor, w.integration.id);
    const done = await waitFor(async () => {
      const r = await runOf(next.jobRunId);
      return r.status === "succeeded" || r.status === "failed" ? r : undefined;
    });
    expect(done.status).toBe("succeeded");
    const [after] = await sqlOn(w.destUrl, `SELECT count(*) AS n, count(DISTINCT id) AS d, sum(id)::text AS s FROM "${w.schema}".items`);
    expect(after).toEqual({ n: String(ROWS), d: String(ROWS), s: String((ROWS * (ROWS + 1)) / 2) });

    const audit = await w.app.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.teamId, w.teamId));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["job.run_now", "job.stop_requested"]));
    await expect(stopExtraction(w.app.db, boss, actor, w.integration.id)).rejects.toThrow(/No extraction is running/);
  });

  it("Run Extraction Now while a job waits to start answers with that job instead of queueing a second", async () => {
    const [waiting] = await w.app.db.insert(jobRuns).values({ teamId: w.teamId, integrationId: w.integration.id, trigger: "schedule", status: "queued" }).returning();
    expect(await runExtractionNow(w.app.db, boss, actor, w.integration.id)).toEqual({ jobRunId: waiting!.id });
    expect((await w.app.db.select().from(jobRuns).where(eq(jobRuns.status, "queued"))).map((r) => r.id)).toEqual([waiting!.id]);
    await w.app.db.update(jobRuns).set({ status: "stopped", finishedAt: new Date() }).where(eq(jobRuns.id, waiting!.id));
  });

  it("saving a schedule sets the next start; pause keeps it from being claimed; unpause recomputes it", async () => {
    const input = ZScheduleInputSchema.parse({ scheduleType: "interval", frequencyMinutes: "720", anchorTime: "03:00" });
    const saved = await saveIntegrationSchedule(w.app.db, actor, w.integration.id, input);
    expect(saved.nextRunAt.getUTCHours() % 12).toBe(3);
    expect(saved.nextRunAt.getUTCMinutes()).toBe(0);
    expect(saved.nextRunAt.getTime()).toBeGreaterThan(Date.now());
    expect(saved.nextRunAt.getTime() - Date.now()).toBeLessThanOrEqual(12 * 3600_000);
    const [row] = await w.app.db.select().from(integrations).where(eq(integrations.id, w.integration.id));
    expect(row).toMatchObject({ scheduleMode: "anchor", frequencyMinutes: 720, anchorTime: "03:00", cronExpression: null });

    const cron = await saveIntegrationSchedule(w.app.db, actor, w.integration.id, ZScheduleInputSchema.parse({ scheduleType: "cron", frequencyMinutes: "60", cronExpression: "0 0 0 1 * ?" }));
    expect(cron.nextRunAt.getUTCDate()).toBe(1);
    await setIntegrationPaused(w.app.db, actor, w.integration.id, true);
    const [paused] = await w.app.db.select().from(integrations).where(eq(integrations.id, w.integration.id));
    expect(paused!.paused).toBe(true);
    const un = await setIntegrationPaused(w.app.db, actor, w.integration.id, false);
    expect(un.nextRunAt?.toISOString()).toBe(cron.nextRunAt.toISOString());
    const audit = await w.app.db.select().from(auditEvents).where(and(eq(auditEvents.teamId, w.teamId), eq(auditEvents.action, "integration.schedule_updated")));
    expect(audit.at(-1)?.details).toMatchObject({ before: "Every 12 hours, anchored at 03:00 UTC", after: "Cron 0 0 0 1 * ? (UTC)" });
  });
});
