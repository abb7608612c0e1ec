import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
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

type TEvent = { worker: string; event: string; [k: string]: unknown };
const CRASH = /stopped responding.*next job resumes from the last saved position/;

/**
 * Real worker processes (test/integration/schedule-worker-process.ts) with the production heartbeat
 * (1 s), killed with SIGKILL.
 */
function startWorkerProcess(url: string, name: string, env: Record<string, string> = {}) {
  const events: TEvent[] = [];
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "test/integration/schedule-worker-process.ts"], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: url, WORKER_NAME: name, HEARTBEAT_MS: "1000", HANDLER_MS: "200", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  createInterface({ input: child.stdout! }).on("line", (line) => {
    try {
      events.push(JSON.parse(line) as TEvent);
    } catch {
      /* not an event line */
    }
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return {
    events,
    ready: () => waitFor(async () => events.some((e) => e.event === "ready"), 60_000, `worker ${name} to start`),
    stop: () => (child.kill("SIGTERM"), exited),
    crash: () => (child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"), exited),
  };
}

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

  it("Stop Extraction on an orphaned queue job frees the queue; fetch errors are logged; other integrations are not held back", async () => {
    const integ = await integration("Stopped orphan");
    const other = await integration("Bystander");
    const orphan = await crashInHandoff(integ.id);
    await stopExtraction(app.db, { teamId, userId: null, email: "ops@example.com" }, integ.id);
    expect(await statusOf(orphan)).toBe("stopped");
    // Queued behind the orphan, this job makes every fetch of the queue fail until the orphan is freed.
    const next = await enqueue(integ.id);
    const bystander = await enqueue(other.id);
    const rescuer = worker("rescuer-4");
    await waitFor(async () => (await statusOf(next)) === "succeeded", 60_000, "the integration's next job");
    await waitFor(async () => (await statusOf(bystander)) === "succeeded", 60_000, "the other integration's job");
    await rescuer.stop();
    expect(await queueStateOf(orphan)).toBe("failed");
    // pg-boss swallows its failed fetches; the worker's log must show them.
    expect(rescuer.events.some((e) => e.event === "queue.error" && /duplicate key/.test(String(e.error)))).toBe(true);
  });

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
    await alive.stop();
    expect(await statusOf(jobRunId)).toBe("stopped");
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
