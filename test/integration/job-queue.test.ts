import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asc, eq, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { extractionLogLines, jobRuns, teams } from "@/db/schema";
import { startQueue } from "@/lib/jobs/queue";
import { enqueueJob, failAbandonedRuns, getJobRun, requestStop } from "@/lib/jobs/runs";
import { startWorker, type TJobHandler, type TWorker } from "@/lib/jobs/worker";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { waitFor } from "../support/wait";

describe("job queue: enqueue → worker → status → log lines", () => {
  let app: TTestAppDb;
  let boss: PgBoss;
  let worker: TWorker;
  let teamId: string;
  let release: () => void = () => undefined;
  const seenStatuses: string[] = [];

  // Test-only job types: one that logs and succeeds, one that fails, one that waits until told to stop.
  const handlers: Record<string, TJobHandler> = {
    "test-echo": async ({ log, run, db }) => {
      const [row] = await db.select().from(jobRuns).where(eq(jobRuns.id, run.id));
      seenStatuses.push(row?.status ?? "missing");
      log.info("tap", "reading 3 rows");
      log.info("target", "State update: {\"bookmark\": 3}");
      return { outcome: "succeeded", rowsLoaded: 3 };
    },
    "test-fail": async ({ log }) => {
      log.info("tap", "about to fail");
      throw new Error("source went away");
    },
    "test-wait": async ({ shouldStop, log }) => {
      log.info("main", "waiting");
      await new Promise<void>((resolve) => {
        release = resolve;
        const t = setInterval(() => {
          if (shouldStop()) {
            clearInterval(t);
            resolve();
          }
        }, 20);
      });
      return { outcome: shouldStop() ? "stopped" : "succeeded" };
    },
  };

  beforeAll(async () => {
    app = await createAppDatabase();
    boss = await startQueue(app.url);
    worker = await startWorker({ db: app.db, boss, handlers, workerId: "test-worker", heartbeatMs: 100 });
    const [team] = await app.db.insert(teams).values({ name: "t" }).returning();
    teamId = team!.id;
  });
  afterAll(async () => {
    release();
    await worker?.stop();
    await app?.close();
  });

  it("runs a queued job: queued → running → succeeded, with its log lines readable in order", async () => {
    const res = await enqueueJob(app.db, boss, { teamId, integrationId: null, kind: "test-echo", trigger: "test" });
    expect(res.enqueued).toBe(true);
    if (!res.enqueued) return;
    const queued = await getJobRun(app.db, res.jobRunId);
    expect(queued?.status).toBe("queued");
    const done = await waitFor(async () => {
      const r = await getJobRun(app.db, res.jobRunId);
      return r?.status === "succeeded" ? r : undefined;
    });
    expect(seenStatuses).toEqual(["running"]);
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt!.getTime()).toBeGreaterThanOrEqual(done.startedAt!.getTime());
    expect(done.rowsLoaded).toBe(3);
    const lines = await app.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, res.jobRunId)).orderBy(asc(extractionLogLines.id));
    expect(lines.map((l) => [l.location, l.level, l.message])).toEqual([
      ["main", "INFO", expect.stringContaining("started")],
      ["tap", "INFO", "reading 3 rows"],
      ["target", "INFO", 'State update: {"bookmark": 3}'],
      ["main", "INFO", "Job finished: succeeded"],
    ]);
  });

  it("marks a throwing job failed with the reason as a CRITICAL line", async () => {
    const res = await enqueueJob(app.db, boss, { teamId, integrationId: null, kind: "test-fail", trigger: "test" });
    if (!res.enqueued) throw new Error("not enqueued");
    const failed = await waitFor(async () => {
      const r = await getJobRun(app.db, res.jobRunId);
      return r?.status === "failed" ? r : undefined;
    });
    expect(failed.error).toBe("source went away");
    const lines = await app.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, res.jobRunId));
    expect(lines.find((l) => l.level === "CRITICAL")?.message).toBe("Job failed: source went away");
  });

  it("fails a run left queued without a queue job, and leaves one whose queue job still waits", async () => {
    const [orphan] = await app.db.insert(jobRuns).values({ teamId, kind: "test-echo", trigger: "test", queuedAt: sql`now() - interval '20 minutes'` }).returning();
    // A kind no worker consumes: its queue job stays "created".
    const waiting = await enqueueJob(app.db, boss, { teamId, integrationId: null, kind: "test-nobody", trigger: "test" });
    if (!waiting.enqueued) throw new Error("not enqueued");
    await app.db.update(jobRuns).set({ queuedAt: sql`now() - interval '20 minutes'` }).where(eq(jobRuns.id, waiting.jobRunId));
    await failAbandonedRuns(app.db, 60_000);
    const failed = await getJobRun(app.db, orphan!.id);
    expect(failed).toMatchObject({ status: "failed", error: "This job was queued but never picked up by a worker; start it again with Run Extraction Now." });
    expect((await getJobRun(app.db, waiting.jobRunId))?.status).toBe("queued");
  });

  it("stops a running job on request and records it as stopped", async () => {
    const res = await enqueueJob(app.db, boss, { teamId, integrationId: null, kind: "test-wait", trigger: "test" });
    if (!res.enqueued) throw new Error("not enqueued");
    await waitFor(async () => (await getJobRun(app.db, res.jobRunId))?.status === "running");
    await requestStop(app.db, res.jobRunId);
    const stopped = await waitFor(async () => {
      const r = await getJobRun(app.db, res.jobRunId);
      return r?.status === "stopped" ? r : undefined;
    });
    expect(stopped.finishedAt).not.toBeNull();
  });
});
