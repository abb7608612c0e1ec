import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { asc, eq, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { extractionLogLines, jobRuns, tableLoads, tableSelections } from "@/db/schema";
import { startQueue } from "@/lib/jobs/queue";
import { enqueueJob, getJobRun } from "@/lib/jobs/runs";
import { dashboardSummary } from "@/lib/reports/dashboard";
import { runExtractionNow } from "@/lib/schedule/save";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createIntegration, createTeamWithUser } from "../support/fixtures";
import { waitFor } from "../support/wait";
import { CRASH, startWorkerProcess, type TWorkerProcess } from "./self-healing-workers";

/**
 * What an operator sees and does around a crash: the dashboard's Sync Status when no worker is left to
 * sweep, Run Extraction Now right after, and the queue with one worker (WORKER_CONCURRENCY=1) while
 * another integration's job holds its slot.
 */
describe("self-healing: the dashboard, Run Extraction Now and the queue around a crash", () => {
  let app: TTestAppDb;
  let boss: PgBoss;
  let teamId: string;
  const live: TWorkerProcess[] = [];

  beforeAll(async () => {
    app = await createAppDatabase();
    teamId = (await createTeamWithUser(app.db)).team.id;
    boss = await startQueue(app.url, { supervise: false });
  });
  afterEach(async () => {
    for (const w of live.splice(0)) await w.crash();
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await app?.close();
  });

  const worker = (name: string, env: Record<string, string> = {}) => {
    const w = startWorkerProcess(app.url, name, env);
    live.push(w);
    return w;
  };
  const integration = (name: string) => createIntegration(app.db, teamId, { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" }, { name, paused: true });
  const enqueue = async (integrationId: string) => {
    const res = await enqueueJob(app.db, boss, { teamId, integrationId, kind: "extract", trigger: "manual" });
    if (!res.enqueued) throw new Error(res.reason);
    return res.jobRunId;
  };
  const statusOf = async (id: string) => (await getJobRun(app.db, id))?.status;
  const queueStateOf = async (jobRunId: string) => {
    const r = await app.db.execute(sql`SELECT state FROM pgboss.job WHERE data->>'jobRunId' = ${jobRunId}`);
    return String(r.rows[0]?.state ?? "missing");
  };
  const shown = async (integrationId: string) => (await dashboardSummary(app.db, teamId, new Date(), integrationId)).integrations[0]!;

  it("a job whose only worker was killed is not shown Running, with no worker left to sweep; Run Extraction Now starts the next job at once", async () => {
    // Not paused (a paused one shows Paused), and not due: only the test starts its jobs.
    const integ = await createIntegration(app.db, teamId, { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" }, { name: "Lone worker", nextRunAt: new Date(Date.now() + 86_400_000) });
    const state = { tracked: true, columns: ["id"], method: "full_table" as const, replicationKey: [], viewKeyColumns: [] };
    await app.db.insert(tableSelections).values({ integrationId: integ.id, tableKey: "public.t", pending: null, finalized: state, finalizedAt: new Date() });
    const actor = { teamId, userId: null, email: "ops@example.com" };
    const lone = worker("lone", { HANDLER_MS: "600000" });
    await lone.ready();
    const { jobRunId } = await runExtractionNow(app.db, boss, actor, integ.id);
    await waitFor(async () => (await statusOf(jobRunId)) === "running", 60_000, "the job to run");
    await app.db.insert(tableLoads).values({ jobRunId, integrationId: integ.id, tableKey: "public.t", destinationTable: "t", method: "full_table", status: "running" });
    expect(await shown(integ.id)).toMatchObject({ status: "Running", activeJobId: jobRunId, activeJobStatus: "running" });
    // A live worker whose heartbeat is an hour old (stalled, or a skewed clock) still holds its lease: Running.
    // In one transaction, so that the worker's next heartbeat waits for it.
    const stalled = await app.db.transaction(async (tx) => {
      await tx.update(jobRuns).set({ heartbeatAt: sql`now() - interval '1 hour'` }).where(eq(jobRuns.id, jobRunId));
      return (await dashboardSummary(tx, teamId, new Date(), integ.id)).integrations[0]!;
    });
    expect(stalled).toMatchObject({ status: "Running", activeJobStatus: "running" });

    await lone.crash();
    // Nobody sweeps now (the test's queue handle runs no worker): the page must say so by itself.
    const failed = await waitFor(async () => {
      const s = await shown(integ.id);
      return s.status === "Failed" ? s : null;
    }, 20_000, "the dead job to be shown failed");
    expect(failed).toMatchObject({ activeJobId: null, activeJobStatus: null, lastError: expect.stringMatching(CRASH), advice: expect.stringMatching(/worker running this job stopped/) });
    expect(await statusOf(jobRunId)).toBe("running");

    // The click repairs the integration first: no "already running", no wait for a worker's sweep.
    const { jobRunId: next } = await runExtractionNow(app.db, boss, actor, integ.id);
    expect(next).not.toBe(jobRunId);
    expect(await getJobRun(app.db, jobRunId)).toMatchObject({ status: "failed", error: expect.stringMatching(CRASH) });
    expect(await queueStateOf(jobRunId)).toBe("failed");
    expect((await app.db.select().from(tableLoads).where(eq(tableLoads.jobRunId, jobRunId))).map((l) => l.status)).toEqual(["failed"]);
    const lines = await app.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, jobRunId)).orderBy(asc(extractionLogLines.id));
    expect(lines.at(-1)).toMatchObject({ level: "CRITICAL", message: expect.stringMatching(CRASH) });

    const restarted = worker("restarted");
    await waitFor(async () => (await statusOf(next)) === "succeeded", 60_000, "the next job on a new worker");
    await restarted.stop();
  });

  it("with WORKER_CONCURRENCY=1 another integration's job runs while one holds its slot with a job waiting behind it; killing that worker frees both", async () => {
    const busy = await integration("Busy");
    const other = await integration("Other");
    const holder = worker("holder", { HANDLER_MS: "600000" });
    await holder.ready();
    const long = await enqueue(busy.id);
    await waitFor(async () => (await statusOf(long)) === "running", 60_000, "the long job to run");
    // Older than the other integration's job, so pg-boss fetches it first — and cannot make it active.
    const waiting = await enqueue(busy.id);
    const bystander = await enqueue(other.id);
    const single = worker("single", { WORKER_CONCURRENCY: "1" });
    await waitFor(async () => (await statusOf(bystander)) === "succeeded", 60_000, "the other integration's job");
    expect({ long: await statusOf(long), waiting: await statusOf(waiting) }).toEqual({ long: "running", waiting: "queued" });

    // SIGKILL with a job running (queue active) and one waiting (queue created): both get their due.
    await holder.crash();
    await waitFor(async () => (await statusOf(waiting)) === "succeeded", 60_000, "the waiting job on the other worker");
    expect(await getJobRun(app.db, long)).toMatchObject({ status: "failed", error: expect.stringMatching(CRASH) });
    expect(await queueStateOf(long)).toBe("failed");
    await single.stop();
  });
});
