import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { and, eq, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { extractionLogLines, jobRuns, tableLoads } from "@/db/schema";
import { startQueue } from "@/lib/jobs/queue";
import { enqueueJob, getJobRun } from "@/lib/jobs/runs";
import { startWorker, type TWorker } from "@/lib/jobs/worker";
import { jobHandlers } from "@/workers/handlers";
import { compareTables, createEngineWorld, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";
import { waitFor } from "../support/wait";

/** The real worker process (as `npm start` runs it), against the test's product database. */
function spawnWorker(databaseUrl: string): ChildProcess {
  const root = resolve(import.meta.dirname, "../..");
  return spawn(process.execPath, ["--import", "tsx", resolve(root, "workers/index.ts")], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, APP_SECRET: process.env.APP_SECRET, WORKER_CONCURRENCY: "1", LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

describe("crash safety: a worker killed with SIGKILL mid-job, then the next job", () => {
  let w: TEngineWorld;
  let boss: PgBoss;
  let worker: TWorker | null = null;
  const cols = ["id", "payload", "updated_at"];

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Crash Shop" });
    await sqlOn(
      w.sourceUrl,
      `CREATE TABLE big (id int PRIMARY KEY, payload text, updated_at timestamptz NOT NULL);
       INSERT INTO big SELECT g, repeat(md5(g::text), 4), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(1, 600000) g;
       CREATE TABLE inc (id int PRIMARY KEY, payload text, updated_at timestamptz NOT NULL);
       INSERT INTO inc SELECT g, repeat(md5(g::text), 4), timestamptz '2024-01-01 00:00:00+00' + (g / 3) * interval '1 second' FROM generate_series(1, 400000) g;`,
    );
    boss = await startQueue(w.app.url);
  });
  afterAll(async () => {
    await worker?.stop();
    await boss?.stop({ graceful: false, wait: true });
    await w?.close();
  });

  async function killMidJob(until: (jobRunId: string) => Promise<boolean>): Promise<string> {
    const res = await enqueueJob(w.app.db, boss, { teamId: w.teamId, integrationId: w.integration.id, kind: "extract", trigger: "manual" });
    if (!res.enqueued) throw new Error(res.reason);
    const child = spawnWorker(w.app.url);
    try {
      await waitFor(() => until(res.jobRunId), 60_000, "the job to be in the middle of its work");
    } finally {
      await killHard(child);
    }
    const run = await getJobRun(w.app.db, res.jobRunId);
    expect(run?.status).toBe("running");
    return res.jobRunId;
  }

  async function nextJobSucceeds(killedRunId: string) {
    // Another worker takes over: it fails the abandoned run once its heartbeat is stale, and runs the next job.
    // (its own queue connection: stopping a worker stops its pg-boss)
    worker = await startWorker({ db: w.app.db, boss: await startQueue(w.app.url), handlers: jobHandlers, workerId: "after-crash", heartbeatMs: 200, staleAfterMs: 1500 });
    const failed = await waitFor(
      async () => {
        const r = await getJobRun(w.app.db, killedRunId);
        return r?.status === "failed" ? r : undefined;
      },
      60_000,
      "the abandoned run to be marked failed",
    );
    expect(failed.error).toMatch(/stopped responding/);
    const res = await enqueueJob(w.app.db, boss, { teamId: w.teamId, integrationId: w.integration.id, kind: "extract", trigger: "manual" });
    if (!res.enqueued) throw new Error(res.reason);
    const done = await waitFor(
      async () => {
        const r = await getJobRun(w.app.db, res.jobRunId);
        return r && ["succeeded", "failed", "stopped"].includes(r.status) ? r : undefined;
      },
      120_000,
      "the next job to finish",
    );
    expect({ status: done.status, error: done.error }).toEqual({ status: "succeeded", error: null });
    // Only the next test's child worker may take its job.
    await worker.stop();
    worker = null;
    return res.jobRunId;
  }

  async function expectNoDuplicates(table: string) {
    const [c] = await sqlOn(w.destUrl, `SELECT count(*) AS n, count(DISTINCT id) AS d FROM "crash_shop"."${table}"`);
    expect(c?.n).toBe(c?.d);
  }

  it("Full Table: killed mid-copy, the old table stays whole; the next job makes destination = source", async () => {
    await selectTable(w, { name: "big" }, { method: "full_table" });
    const first = await runJob(w);
    expect(first.outcome?.outcome).toBe("succeeded");
    await sqlOn(w.sourceUrl, `DELETE FROM big WHERE id % 1000 = 0; UPDATE big SET payload = 'changed' WHERE id % 777 = 0`);
    const killed = await killMidJob(async (id) => {
      const [l] = await w.app.db.select().from(tableLoads).where(eq(tableLoads.jobRunId, id));
      return (l?.rowsDone ?? 0) > 0;
    });
    // Nothing half-loaded is visible: the old table is there, whole and unchanged (the copy never committed).
    const [old] = await sqlOn(w.destUrl, `SELECT count(*) AS n, count(*) FILTER (WHERE payload = 'changed') AS changed FROM "crash_shop".big`);
    expect(old).toEqual({ n: "600000", changed: "0" });
    const leftovers = await sqlOn(w.destUrl, `SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'crash_shop' AND relkind = 'r'`);
    expect(leftovers.map((r) => r.relname)).toEqual(["big"]);
    await nextJobSucceeds(killed);
    const { src, dst } = await compareTables(w, "public.big", "big", cols, ["id"]);
    expect(dst).toHaveLength(599400);
    expect(dst).toEqual(src);
    await expectNoDuplicates("big");
  });

  it("Key-based: killed between batches, the next job resumes from the last committed bookmark, no duplicates", async () => {
    await selectTable(w, { name: "inc" }, { method: "key_based", replicationKey: ["updated_at"] });
    const killed = await killMidJob(async (id) => {
      const lines = await w.app.db
        .select({ n: sql<number>`count(*)::int` })
        .from(extractionLogLines)
        .where(and(eq(extractionLogLines.jobRunId, id), sql`${extractionLogLines.message} LIKE 'State update: %inc%bookmark%'`));
      return (lines[0]?.n ?? 0) >= 2;
    });
    const [partial] = await sqlOn(w.destUrl, `SELECT count(*) AS n FROM "crash_shop".inc`);
    expect(Number(partial?.n)).toBeGreaterThan(0);
    expect(Number(partial?.n)).toBeLessThan(400000);
    await sqlOn(w.sourceUrl, `UPDATE inc SET payload = 'late', updated_at = timestamptz '2030-01-01 00:00:00+00' WHERE id % 5000 = 0; INSERT INTO inc VALUES (400001, 'new', timestamptz '2031-01-01 00:00:00+00')`);
    const next = await nextJobSucceeds(killed);
    const { src, dst } = await compareTables(w, "public.inc", "inc", cols, ["id"]);
    expect(dst).toHaveLength(400001);
    expect(dst).toEqual(src);
    await expectNoDuplicates("inc");
    const [run] = await w.app.db.select().from(jobRuns).where(eq(jobRuns.id, next));
    expect(run?.partialFailure).toBe(false);
  });
});
