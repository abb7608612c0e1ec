import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import pg from "pg";
import type PgBoss from "pg-boss";
import { extractionLogLines, integrations, type TJobRun } from "@/db/schema";
import { seal } from "@/lib/crypto";
import { startQueue } from "@/lib/jobs/queue";
import { enqueueJob, getJobRun } from "@/lib/jobs/runs";
import { startWorker, type TWorker } from "@/lib/jobs/worker";
import { runExtractJob } from "@/lib/replication/extract-job";
import { dashboardSummary } from "@/lib/reports/dashboard";
import { describeFailedTables } from "@/lib/reports/failed-tables";
import { jobsPerDay, listJobs } from "@/lib/reports/jobs";
import { allTablesReport, tableLoadsReport } from "@/lib/reports/loading";
import { claimDueSlots } from "@/lib/schedule/scheduler";
import { compareTables, createEngineWorld, loadsOf, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";
import { connectionParts, withDatabase } from "../support/url";
import { waitFor } from "../support/wait";

/**
 * A job in which one table cannot be read, run by the real worker from the real queue: the job is Failed
 * (not Succeeded) and says which table and why everywhere a user looks, the other table's rows stay
 * loaded, the schedule goes on, and the next job (after the grant) loads the broken table.
 */
describe("a job with a failed table is Failed, and the next job recovers the table", () => {
  let w: TEngineWorld;
  let boss: PgBoss;
  let worker: TWorker;
  let pool: pg.Pool;
  const role = `status_reader_${Math.random().toString(36).slice(2, 8)}`;
  let secretKey = "";
  let firstJob: TJobRun;

  async function finished(jobRunId: string): Promise<TJobRun> {
    return waitFor(async () => {
      const r = await getJobRun(w.app.db, jobRunId);
      return r && !["queued", "running"].includes(r.status) ? r : undefined;
    }, 90_000, `job ${jobRunId} to finish`);
  }

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Status Shop" });
    const src = connectionParts(w.sourceUrl);
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    // The integration reads as a non-superuser that may read `orders` but not `secret`.
    await sqlOn(
      w.sourceUrl,
      `CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2));
       INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 1000) g;
       CREATE TABLE secret (id int PRIMARY KEY, note text);
       INSERT INTO secret SELECT g, 'note ' || g FROM generate_series(1, 25) g;
       CREATE ROLE ${role} LOGIN PASSWORD '${password}';
       GRANT CONNECT ON DATABASE "${src.database}" TO ${role};
       GRANT USAGE ON SCHEMA public TO ${role};
       GRANT SELECT ON orders TO ${role};`,
    );
    await w.app.db.update(integrations).set({ username: role, passwordEnc: seal(password) }).where(eq(integrations.id, w.integration.id));
    await selectTable(w, { name: "orders" }, { method: "full_table" });
    secretKey = await selectTable(w, { name: "secret" }, { method: "key_based", replicationKey: ["id"] });
    boss = await startQueue(w.app.url);
    worker = await startWorker({ db: w.app.db, boss, handlers: { extract: (ctx) => runExtractJob(ctx) }, workerId: "status-test", heartbeatMs: 200 });
    pool = new pg.Pool({ connectionString: w.app.url, max: 2 });
  });
  afterAll(async () => {
    await worker?.stop();
    await pool?.end();
    await w?.close();
    // Roles are the cluster's, not the (dropped) database's.
    if (w) await sqlOn(withDatabase(w.sourceUrl, "postgres"), `DROP ROLE IF EXISTS ${role}`);
  });

  it("ends Failed, naming the table and why; the other table's rows stay loaded and counted", async () => {
    const res = await enqueueJob(w.app.db, boss, { teamId: w.teamId, integrationId: w.integration.id, kind: "extract", trigger: "manual" });
    if (!res.enqueued) throw new Error(res.reason);
    firstJob = await finished(res.jobRunId);
    expect(firstJob.status).toBe("failed");
    expect(firstJob.partialFailure).toBe(true);
    expect(firstJob.error).toBe("1 of 2 table(s) failed: public.secret (permission denied for table secret)");
    expect(firstJob.rowsLoaded).toBe(1000);

    const { src, dst } = await compareTables(w, "public.orders", "orders", ["id", "total"], ["id"]);
    expect(dst).toHaveLength(1000);
    expect(dst).toEqual(src);
    const loads = await loadsOf(w.app.db, firstJob.id);
    expect(loads.map((l) => [l.destinationTable, l.status, l.rowsInserted]).sort()).toEqual([
      ["orders", "succeeded", 1000],
      ["secret", "failed", 0],
    ]);

    const lines = await w.app.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, firstJob.id)).orderBy(asc(extractionLogLines.id));
    expect(lines.at(-1)).toMatchObject({ level: "CRITICAL", message: expect.stringContaining("Job failed: 1 of 2 table(s) failed: public.secret (permission denied") });
    expect(lines.some((l) => l.message.startsWith("Job finished: partial"))).toBe(false);
  });

  it("shows Failed with the table's name on the dashboard, in Extraction Logs and in Loading Reports", async () => {
    const [dash] = (await dashboardSummary(w.app.db, w.teamId)).integrations;
    expect(dash).toMatchObject({ status: "Failed", partialFailure: true, paused: false });
    expect(dash!.lastError).toContain("public.secret (permission denied for table secret)");
    expect(dash!.advice).toBe("The replication user may not read secret. Run GRANT SELECT ON secret TO <user>; (see the prerequisite report in Settings).");

    const [job] = await listJobs(w.app.db, w.teamId, w.integration.id);
    expect(job).toMatchObject({ id: firstJob.id, status: "failed", partialFailure: true, error: firstJob.error });
    const perDay = await jobsPerDay(w.app.db, w.teamId, w.integration.id);
    expect(perDay.reduce((n, d) => n + d.failed, 0)).toBe(1);
    expect(perDay.reduce((n, d) => n + d.succeeded, 0)).toBe(0);

    const all = await allTablesReport(w.app.db, w.teamId, w.integration.id, "24h");
    expect(all.find((t) => t.tableKey === secretKey)).toMatchObject({ lastStatus: "failed", lastError: "permission denied for table secret" });
    expect(all.find((t) => t.destinationTable === "orders")).toMatchObject({ lastStatus: "succeeded", lastError: null, rowsLoaded: 1000 });
    const [secretLoad] = await tableLoadsReport(w.app.db, w.teamId, w.integration.id, secretKey, "24h");
    expect(secretLoad).toMatchObject({ jobRunId: firstJob.id, status: "failed", error: "permission denied for table secret" });
  });

  it("keeps scheduling: the next scheduled job retries the failed table and loads it; the status is Succeeded again", async () => {
    await sqlOn(w.sourceUrl, `GRANT SELECT ON secret TO ${role}`);
    await w.app.db.update(integrations).set({ nextRunAt: new Date(Date.now() - 60_000) }).where(eq(integrations.id, w.integration.id));
    const started: string[] = [];
    await claimDueSlots({ pool, boss, onEvent: (e) => e.event === "schedule.started" && started.push(e.jobRunId) });
    expect(started).toHaveLength(1);
    const next = await finished(started[0]!);
    expect(next).toMatchObject({ status: "succeeded", partialFailure: false, error: null, trigger: "schedule", rowsLoaded: 1025 });

    const { src, dst } = await compareTables(w, "public.secret", "secret", ["id", "note"], ["id"]);
    expect(dst).toHaveLength(25);
    expect(dst).toEqual(src);
    const [dash] = (await dashboardSummary(w.app.db, w.teamId)).integrations;
    expect(dash).toMatchObject({ status: "Succeeded", lastError: null, partialFailure: false });
    const all = await allTablesReport(w.app.db, w.teamId, w.integration.id, "24h");
    expect(all.find((t) => t.tableKey === secretKey)).toMatchObject({ lastStatus: "succeeded", lastError: null, maxBookmark: "25" });
  });

  it("names every failed table when all of them fail; the destination keeps what earlier jobs loaded", async () => {
    await sqlOn(w.sourceUrl, `REVOKE SELECT ON orders, secret FROM ${role}`);
    const res = await enqueueJob(w.app.db, boss, { teamId: w.teamId, integrationId: w.integration.id, kind: "extract", trigger: "manual" });
    if (!res.enqueued) throw new Error(res.reason);
    const run = await finished(res.jobRunId);
    expect(run).toMatchObject({ status: "failed", partialFailure: false });
    expect(run.error).toBe("All 2 table(s) failed: public.orders (permission denied for table orders); public.secret (permission denied for table secret)");
    const [n] = await sqlOn(w.destUrl, `SELECT (SELECT count(*) FROM "status_shop".orders) AS orders, (SELECT count(*) FROM "status_shop".secret) AS secret`);
    expect(n).toEqual({ orders: "1000", secret: "25" });
  });

  it("keeps the error short: three tables at most, each reason's first line, cut at 160 characters", () => {
    const failed = ["a", "b", "c", "d", "e"].map((n) => ({ tableKey: `"db"."public"."${n}"`, error: `${n === "a" ? "x".repeat(300) : `broken ${n}`}\nDETAIL: more` }));
    const text = describeFailedTables(failed);
    expect(text).toBe(`public.a (${"x".repeat(159)}…); public.b (broken b); public.c (broken c); and 2 more (see Loading Reports)`);
  });
});
