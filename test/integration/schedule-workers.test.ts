import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { and, asc, eq, isNotNull } from "drizzle-orm";
import { extractionLogLines, integrations, jobRuns, tableSelections } from "@/db/schema";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createIntegration, createTeamWithUser } from "../support/fixtures";
import { createEngineWorld, selectTable, sqlOn } from "../support/engine-harness";
import { waitFor } from "../support/wait";

type TEvent = { worker: string; event: string; [k: string]: unknown };

/** A real worker process (queue consumer + schedule loop) against the test's product database. */
function startWorkerProcess(url: string, name: string, env: Record<string, string> = {}) {
  const events: TEvent[] = [];
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "test/integration/schedule-worker-process.ts"], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: url, WORKER_NAME: name, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  createInterface({ input: child.stdout! }).on("line", (line) => {
    try {
      if (process.env.DEBUG_SCHEDULE_TEST) console.log(line);
      events.push(JSON.parse(line) as TEvent);
    } catch {
      /* not an event line */
    }
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return {
    events,
    ready: () => waitFor(async () => events.some((e) => e.event === "ready"), 60_000),
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
    async crash() {
      child.kill("SIGKILL");
      return exited;
    },
  };
}

const EVERY_2S = "*/2 * * * * ?";

describe("scheduler in real worker processes", () => {
  let app: TTestAppDb;
  let teamId: string;

  beforeAll(async () => {
    app = await createAppDatabase();
    teamId = (await createTeamWithUser(app.db)).team.id;
  });
  afterAll(async () => {
    await app?.close();
  });

  async function scheduledIntegration(name: string) {
    const row = await createIntegration(app.db, teamId, { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" }, { name, scheduleMode: "cron", cronExpression: EVERY_2S, paused: true });
    const tracked = { tracked: true, columns: ["id"], method: "full_table" as const, replicationKey: [], viewKeyColumns: [] };
    await app.db.insert(tableSelections).values({ integrationId: row.id, tableKey: "public.t", finalized: tracked, finalizedAt: new Date() });
    return row;
  }

  const scheduledRuns = (integrationId: string) =>
    app.db
      .select()
      .from(jobRuns)
      .where(and(eq(jobRuns.integrationId, integrationId), eq(jobRuns.trigger, "schedule")))
      .orderBy(asc(jobRuns.scheduledFor));

  it("two workers against one database start each slot exactly once", async () => {
    const integration = await scheduledIntegration("Two workers");
    const a = startWorkerProcess(app.url, "A");
    const b = startWorkerProcess(app.url, "B");
    await Promise.all([a.ready(), b.ready()]);
    await app.db.update(integrations).set({ paused: false, nextRunAt: null }).where(eq(integrations.id, integration.id));
    await waitFor(async () => (await scheduledRuns(integration.id)).filter((r) => r.status === "succeeded").length >= 5, 40_000);
    await app.db.update(integrations).set({ paused: true }).where(eq(integrations.id, integration.id));
    await Promise.all([a.stop(), b.stop()]);

    const runs = await scheduledRuns(integration.id);
    const slots = runs.map((r) => r.scheduledFor!.getTime());
    expect(new Set(slots).size).toBe(slots.length);
    // Consecutive cron slots, 2 s apart: none lost, none doubled.
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBe(2000);
    expect(slots.every((t) => t % 2000 === 0)).toBe(true);
    expect(runs.every((r) => ["succeeded", "stopped"].includes(r.status))).toBe(true);
    // Each start is one job picked up by one worker.
    const started = [...a.events, ...b.events].filter((e) => e.event === "job.started").map((e) => e.jobRunId);
    expect(new Set(started).size).toBe(started.length);
    expect(started.length).toBe(runs.length);
    const claims = [...a.events, ...b.events].filter((e) => e.event === "schedule.started");
    expect(claims.length).toBe(runs.length);
  });

  it("a worker killed mid-schedule and restarted neither loses nor doubles a start", async () => {
    const integration = await scheduledIntegration("Restarted");
    const first = startWorkerProcess(app.url, "first");
    await first.ready();
    await app.db.update(integrations).set({ paused: false, nextRunAt: null }).where(eq(integrations.id, integration.id));
    await waitFor(async () => (await scheduledRuns(integration.id)).filter((r) => r.status === "succeeded").length >= 2);
    await first.crash();
    const beforeCrash = await scheduledRuns(integration.id);
    const [pending] = await app.db.select({ next: integrations.nextRunAt }).from(integrations).where(eq(integrations.id, integration.id));
    // Down long enough that two slots pass.
    await new Promise((r) => setTimeout(r, 4500));

    const second = startWorkerProcess(app.url, "second");
    await second.ready();
    await waitFor(async () => (await scheduledRuns(integration.id)).filter((r) => r.status === "succeeded").length >= beforeCrash.length + 3, 40_000);
    await app.db.update(integrations).set({ paused: true }).where(eq(integrations.id, integration.id));
    await second.stop();

    const runs = await scheduledRuns(integration.id);
    const slots = runs.map((r) => r.scheduledFor!.getTime());
    expect(new Set(slots).size).toBe(slots.length);
    // The slot that was due while no worker ran is started once by the new worker (late, not lost) …
    const catchUp = runs.find((r) => r.scheduledFor!.getTime() === pending!.next!.getTime());
    expect(catchUp).toBeDefined();
    expect(catchUp!.startedAt!.getTime()).toBeGreaterThan(pending!.next!.getTime() + 3000);
    // … and the slots missed during the outage are not replayed one by one.
    const after = slots.filter((t) => t > pending!.next!.getTime());
    expect(after[0]! - pending!.next!.getTime()).toBeGreaterThanOrEqual(4000);
    for (let i = 1; i < after.length; i++) expect(after[i]! - after[i - 1]!).toBe(2000);
  });

  it("a worker killed while a job runs: the job is failed as abandoned and the schedule carries on", async () => {
    const integration = await scheduledIntegration("Killed mid-job");
    const first = startWorkerProcess(app.url, "doomed", { HANDLER_MS: "30000" });
    await first.ready();
    await app.db.update(integrations).set({ paused: false, nextRunAt: null }).where(eq(integrations.id, integration.id));
    const running = await waitFor(async () => (await scheduledRuns(integration.id)).find((r) => r.status === "running"));
    await first.crash();

    const second = startWorkerProcess(app.url, "rescuer", { HANDLER_MS: "100" });
    await second.ready();
    const next = await waitFor(async () => (await scheduledRuns(integration.id)).find((r) => r.status === "succeeded"), 40_000);
    await app.db.update(integrations).set({ paused: true }).where(eq(integrations.id, integration.id));
    await second.stop();

    const [abandoned] = await app.db.select().from(jobRuns).where(eq(jobRuns.id, running.id));
    expect(abandoned!.status).toBe("failed");
    expect(abandoned!.error).toContain("stopped responding");
    expect(next.scheduledFor!.getTime()).toBeGreaterThan(running.scheduledFor!.getTime());
  });

  it("skips and logs a start while the previous job still runs", async () => {
    const integration = await scheduledIntegration("Overrun");
    const w = startWorkerProcess(app.url, "slow", { HANDLER_MS: "4500" });
    await w.ready();
    await app.db.update(integrations).set({ paused: false, nextRunAt: null }).where(eq(integrations.id, integration.id));
    const firstRun = await waitFor(async () => (await scheduledRuns(integration.id)).find((r) => r.status === "succeeded"), 40_000);
    await app.db.update(integrations).set({ paused: true }).where(eq(integrations.id, integration.id));
    await w.stop();

    const skipLines = await app.db
      .select()
      .from(extractionLogLines)
      .where(and(eq(extractionLogLines.jobRunId, firstRun.id), eq(extractionLogLines.level, "WARNING")));
    // A 4.5 s job on a 2 s schedule overlaps two slots.
    expect(skipLines.length).toBeGreaterThanOrEqual(2);
    for (const l of skipLines) expect(l.message).toMatch(/^Scheduled start at .* skipped: (the previous job is still running|a job is already waiting to start)\. Next scheduled start: /);
    expect(skipLines.some((l) => l.message.includes("the previous job is still running"))).toBe(true);
    const runs = await scheduledRuns(integration.id);
    const started = runs.filter((r) => r.startedAt !== null);
    for (let i = 1; i < started.length; i++) expect(started[i]!.startedAt!.getTime()).toBeGreaterThanOrEqual(started[i - 1]!.finishedAt!.getTime());
  });

  it("a paused integration is not scheduled", async () => {
    const integration = await scheduledIntegration("Paused");
    await app.db.update(integrations).set({ nextRunAt: new Date(Date.now() - 60_000) }).where(eq(integrations.id, integration.id));
    const w = startWorkerProcess(app.url, "pause-check");
    await w.ready();
    await new Promise((r) => setTimeout(r, 2500));
    await w.stop();
    expect(await app.db.select().from(jobRuns).where(and(eq(jobRuns.integrationId, integration.id), isNotNull(jobRuns.queuedAt)))).toEqual([]);
  });

  it("the real worker process (workers/index.ts) runs the schedule: cron starts real extract jobs", async () => {
    const w = await createEngineWorld({ name: "Cron Real" });
    try {
      await sqlOn(w.sourceUrl, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g;");
      await selectTable(w, { name: "t" }, { method: "full_table" });
      await w.app.db.update(integrations).set({ scheduleMode: "cron", cronExpression: EVERY_2S, nextRunAt: null }).where(eq(integrations.id, w.integration.id));
      const child = spawn(process.execPath, ["--import", "tsx", "workers/index.ts"], {
        cwd: process.cwd(),
        env: { ...process.env, DATABASE_URL: w.app.url, APP_SECRET: process.env.APP_SECRET, LOG_LEVEL: "warn" },
        stdio: ["ignore", "ignore", "inherit"],
      });
      const exited = new Promise((r) => child.once("exit", r));
      try {
        const runs = await waitFor(async () => {
          const done = await w.app.db.select().from(jobRuns).where(and(eq(jobRuns.integrationId, w.integration.id), eq(jobRuns.trigger, "schedule"), eq(jobRuns.status, "succeeded")));
          return done.length >= 2 ? done : undefined;
        }, 60_000);
        expect(runs.every((r) => r.scheduledFor!.getTime() % 2000 === 0)).toBe(true);
        expect(runs.every((r) => r.rowsLoaded === 100)).toBe(true);
        const [dest] = await sqlOn(w.destUrl, `SELECT count(*) AS n FROM "${w.schema}".t`);
        expect(dest!.n).toBe("100");
      } finally {
        await w.app.db.update(integrations).set({ paused: true }).where(eq(integrations.id, w.integration.id));
        child.kill("SIGTERM");
        await exited;
      }
    } finally {
      await w.close();
    }
  });
});
