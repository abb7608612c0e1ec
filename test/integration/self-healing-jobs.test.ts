import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { asc, eq, sql } from "drizzle-orm";
import pg from "pg";
import type PgBoss from "pg-boss";
import { extractionLogLines, jobRuns, tableLoads } from "@/db/schema";
import { startQueue } from "@/lib/jobs/queue";
import { enqueueJob, failAbandonedRuns, getJobRun } from "@/lib/jobs/runs";
import { stopExtraction } from "@/lib/schedule/save";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createIntegration, createTeamWithUser } from "../support/fixtures";
import { waitFor } from "../support/wait";
import { CRASH, startWorkerProcess } from "./self-healing-workers";

describe("self-healing jobs: workers killed at every stage", () => {
  let app: TTestAppDb;
  let boss: PgBoss;
  let teamId: string;
  const live: ReturnType<typeof startWorkerProcess>[] = [];

  beforeAll(async () => {
    app = await createAppDatabase();
    teamId = (await createTeamWithUser(app.db)).team.id;
    boss = await startQueue(app.url, { supervise: false });
  });
  // A test that failed half-way must not leave its workers to take the next test's jobs.
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
  const actor = () => ({ teamId, userId: null, email: "ops@example.com" });
  const statusOf = async (id: string) => (await getJobRun(app.db, id))?.status;
  const queueStateOf = async (jobRunId: string) => {
    const r = await app.db.execute(sql`SELECT state FROM pgboss.job WHERE data->>'jobRunId' = ${jobRunId}`);
    return String(r.rows[0]?.state ?? "missing");
  };
  const lastLogLine = async (id: string) =>
    (await app.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, id)).orderBy(asc(extractionLogLines.id))).at(-1);

  /** The handoff window, widened: the worker has fetched the queue job but cannot mark the run running. */
  async function crashInHandoff(integrationId: string): Promise<string> {
    const jobRunId = await enqueue(integrationId);
    const locker = new pg.Client({ connectionString: app.url });
    await locker.connect();
    try {
      await locker.query("BEGIN; LOCK TABLE job_runs IN ACCESS EXCLUSIVE MODE");
      const doomed = worker("handoff");
      await waitFor(async () => (await queueStateOf(jobRunId)) === "active", 60_000, "the queue job to be fetched");
      await doomed.crash();
      // The dead worker's claim may still be queued behind the lock in its server process (PostgreSQL
      // notices a vanished client only when it next writes to it): end it, as the crash would have before
      // the claim was sent. Only that worker touches job_runs now.
      await locker.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE relation = 'job_runs'::regclass AND NOT granted`);
      await locker.query("ROLLBACK");
    } finally {
      await locker.end();
    }
    expect({ run: await statusOf(jobRunId), queue: await queueStateOf(jobRunId) }).toEqual({ run: "queued", queue: "active" });
    return jobRunId;
  }

  it("a job killed while running is failed within seconds, its table loads closed, with a plain last log line", async () => {
    const integ = await integration("Killed running");
    const doomed = worker("doomed", { HANDLER_MS: "600000" });
    await doomed.ready();
    const jobRunId = await enqueue(integ.id);
    await waitFor(async () => (await statusOf(jobRunId)) === "running", 60_000, "the job to run");
    await app.db.insert(tableLoads).values({ jobRunId, integrationId: integ.id, tableKey: "public.t", destinationTable: "t", method: "full_table", status: "running" });
    await doomed.crash();

    const second = worker("rescuer-2");
    await second.ready();
    // Generous bound, far below the minute the heartbeat-only sweep needed: the lease is gone with the process.
    await waitFor(async () => (await statusOf(jobRunId)) === "failed", 20_000, "the dead job to be failed");
    const run = await getJobRun(app.db, jobRunId);
    expect(run?.error).toMatch(CRASH);
    // Freed by the same sweep, right after the run (a separate statement).
    await waitFor(async () => (await queueStateOf(jobRunId)) === "failed", 20_000, "the dead job's queue job to be failed");
    // Its table loads are closed by the sweep too, in a statement of their own: waited for, not raced.
    const loadsOfRun = () => app.db.select().from(tableLoads).where(eq(tableLoads.jobRunId, jobRunId));
    await waitFor(async () => (await loadsOfRun()).every((l) => l.status !== "running"), 20_000, "the dead job's table loads to be closed");
    expect((await loadsOfRun()).map((l) => [l.status, l.error])).toEqual([["failed", expect.stringMatching(CRASH)]]);
    await waitFor(async () => (await lastLogLine(jobRunId))?.level === "CRITICAL", 20_000, "the dead job's last log line");
    expect(await lastLogLine(jobRunId)).toMatchObject({ level: "CRITICAL", message: expect.stringMatching(CRASH) });
    const next = await enqueue(integ.id);
    await waitFor(async () => (await statusOf(next)) === "succeeded", 60_000, "the integration's next job");
    await second.stop();
  });

  it("a worker killed between fetching a job and starting it: the run is failed, the queue freed, the next job runs", async () => {
    const integ = await integration("Killed in handoff");
    const jobRunId = await crashInHandoff(integ.id);
    const rescuer = worker("rescuer-3");
    await rescuer.ready();
    await waitFor(async () => (await statusOf(jobRunId)) === "failed", 60_000, "the stranded run to be failed");
    expect((await getJobRun(app.db, jobRunId))?.error).toMatch(/stopped responding/);
    await waitFor(async () => (await queueStateOf(jobRunId)) === "failed", 60_000, "the stranded queue job to be failed");
    const next = await enqueue(integ.id);
    await waitFor(async () => (await statusOf(next)) === "succeeded", 60_000, "the integration's next job");
    await rescuer.stop();
  });

  it("Stop Extraction on an orphaned queue job frees the queue at the click; the next job and another integration's run", async () => {
    const integ = await integration("Stopped orphan");
    const other = await integration("Bystander");
    const orphan = await crashInHandoff(integ.id);
    await stopExtraction(app.db, boss, actor(), integ.id);
    expect(await statusOf(orphan)).toBe("stopped");
    // At the click, not at the next sweep: no worker is alive here to sweep.
    expect(await queueStateOf(orphan)).toBe("failed");
    const next = await enqueue(integ.id);
    const bystander = await enqueue(other.id);
    const rescuer = worker("rescuer-4");
    await waitFor(async () => (await statusOf(next)) === "succeeded", 60_000, "the integration's next job");
    await waitFor(async () => (await statusOf(bystander)) === "succeeded", 60_000, "the other integration's job");
    await rescuer.stop();
  });

  it("a fetch failing on the job queued behind an orphan is logged by the worker; its sweep frees the orphan", async () => {
    const integ = await integration("Blocked behind orphan");
    const orphan = await crashInHandoff(integ.id);
    // Waiting behind the orphan: the worker's first fetch (before its first sweep) fails on the queue's key.
    const blocked = await enqueue(integ.id);
    const rescuer = worker("rescuer-5", { WORKER_CONCURRENCY: "1" });
    // pg-boss swallows its failed fetches; the worker's log must show them.
    await waitFor(async () => rescuer.events.some((e) => e.event === "queue.error" && /duplicate key/.test(String(e.error))), 60_000, "the failed fetch in the worker's log");
    await waitFor(async () => (await statusOf(blocked)) === "succeeded", 60_000, "the job queued behind the orphan");
    expect(await queueStateOf(orphan)).toBe("failed");
    await rescuer.stop();
  });

  it("on a queue with retries, the retried queue jobs of runs killed in handoff and while running never run them again", async () => {
    const integ = await integration("Retried");
    const withRetry = (jobRunId: string) => app.db.execute(sql`UPDATE pgboss.job SET retry_limit = 1 WHERE data->>'jobRunId' = ${jobRunId}`);
    // Run queued × queue job active, then retrying once the sweep fails it.
    const handoff = await crashInHandoff(integ.id);
    await withRetry(handoff);
    const doomed = worker("doomed-retry", { HANDLER_MS: "600000" });
    await waitFor(async () => (await statusOf(handoff)) === "failed", 60_000, "the stranded run to be failed");
    await waitFor(async () => (await queueStateOf(handoff)) === "completed", 60_000, "its retried queue job to be skipped");
    // Run running × queue job active, retrying after the kill.
    const running = await enqueue(integ.id);
    await withRetry(running);
    // Its event, not only its status: the event line must be read before the kill cuts the pipe.
    await waitFor(async () => doomed.events.some((e) => e.event === "job.started" && e.jobRunId === running), 60_000, "the job to run");
    await doomed.crash();
    const rescuer = worker("rescuer-retry");
    await waitFor(async () => (await statusOf(running)) === "failed", 60_000, "the dead run to be failed");
    await waitFor(async () => (await queueStateOf(running)) === "completed", 60_000, "its retried queue job to be skipped");
    const started = [...doomed.events, ...rescuer.events].filter((e) => e.event === "job.started").map((e) => e.jobRunId);
    expect(started.filter((id) => id === handoff || id === running)).toEqual([running]);
    expect(rescuer.events.filter((e) => e.event === "job.skipped").map((e) => e.jobRunId)).toContain(running);
    const next = await enqueue(integ.id);
    await waitFor(async () => (await statusOf(next)) === "succeeded", 60_000, "the integration's next job");
    await rescuer.stop();
  }, 300_000); // two crash cycles and three worker starts: over two minutes on a loaded two-core machine

  it("a live worker's job is never taken away, however old its heartbeat", async () => {
    const integ = await integration("Alive");
    const alive = worker("alive", { HANDLER_MS: "600000" });
    await alive.ready();
    const jobRunId = await enqueue(integ.id);
    await waitFor(async () => (await statusOf(jobRunId)) === "running", 60_000, "the job to run");
    // A worker stalled (or a clock skewed) for an hour still holds its lease: no second worker may start.
    await app.db.update(jobRuns).set({ heartbeatAt: sql`now() - interval '1 hour'` }).where(eq(jobRuns.id, jobRunId));
    expect(await failAbandonedRuns(app.db, 0, boss)).toBe(0);
    expect(await statusOf(jobRunId)).toBe("running");
    // Stop Extraction repairs the integration at once, but leaves a job its worker holds to that worker.
    await stopExtraction(app.db, boss, actor(), integ.id);
    expect({ run: await statusOf(jobRunId), queue: await queueStateOf(jobRunId) }).toEqual({ run: "running", queue: "active" });
    await waitFor(async () => (await statusOf(jobRunId)) === "stopped", 60_000, "the worker to end the stopped job");
    await waitFor(async () => (await queueStateOf(jobRunId)) === "completed", 60_000, "the worker to complete its queue job");
    await alive.stop();
  });

  it("a worker that loses its lease connection ends its job at once and runs the next job on a new lease", async () => {
    const integ = await integration("Fenced");
    const fenced = worker("fenced", { HANDLER_MS: "600000" });
    await fenced.ready();
    const jobRunId = await enqueue(integ.id);
    await waitFor(async () => (await statusOf(jobRunId)) === "running", 60_000, "the job to run");
    // The worker lives on, but PostgreSQL no longer sees its lease: a sweep may now fail the job.
    await app.db.execute(sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgreplicate-lease' AND datname = current_database()`);
    // The worker ends the job at its next step (stopped), or a sweep fails it first: either way it is over,
    // and the worker does not write over the sweep's verdict.
    await waitFor(async () => fenced.events.some((e) => e.event === "job.finished" && e.jobRunId === jobRunId), 60_000, "the worker to end the job");
    const ended = await getJobRun(app.db, jobRunId);
    expect(ended?.status === "stopped" || (ended?.status === "failed" && CRASH.test(ended.error ?? ""))).toBe(true);
    const next = await enqueue(integ.id);
    await waitFor(async () => (await statusOf(next)) === "running", 60_000, "the next job on a new lease");
    await fenced.stop();
  });
});
