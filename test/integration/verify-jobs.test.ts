import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import type PgBoss from "pg-boss";
import { auditEvents, extractionLogLines, type TJobRun } from "@/db/schema";
import type { TAuditActor } from "@/lib/audit/record";
import { quoteIdent } from "@/lib/naming/identifiers";
import { startQueue } from "@/lib/jobs/queue";
import { enqueueJob, getJobRun } from "@/lib/jobs/runs";
import { startWorker, type TWorker } from "@/lib/jobs/worker";
import { dashboardSummary } from "@/lib/reports/dashboard";
import { listJobs } from "@/lib/reports/jobs";
import { allTablesReport } from "@/lib/reports/loading";
import { verificationsOfRun, type TStoredVerification } from "@/lib/verify";
import { setVerifyAfterJob, startVerifyJob } from "@/lib/verify/job-start";
import { jobHandlers } from "@/workers/handlers";
import { createEngineWorld, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";
import { waitFor } from "../support/wait";

/**
 * Verify and Repair as the product runs them: started like the buttons do, run by the real worker from
 * the real queue (the extract queue, after any extraction of the integration), verdicts stored per
 * table and written in the job's log.
 */
describe("Verify and Repair jobs through the worker", () => {
  let w: TEngineWorld;
  let boss: PgBoss;
  let worker: TWorker;
  let actor: TAuditActor;
  let firstExtract: TJobRun;
  const keys: Record<"ft" | "kb" | "lb", string> = { ft: "", kb: "", lb: "" };
  const dest = (t: string) => `${quoteIdent(w.schema)}.${quoteIdent(t)}`;

  async function finished(jobRunId: string): Promise<TJobRun> {
    return waitFor(async () => {
      const r = await getJobRun(w.app.db, jobRunId);
      return r && !["queued", "running"].includes(r.status) ? r : undefined;
    }, 120_000, `job ${jobRunId} to finish`);
  }

  async function extract(): Promise<TJobRun> {
    const res = await enqueueJob(w.app.db, boss, { teamId: w.teamId, integrationId: w.integration.id, kind: "extract", trigger: "manual" });
    if (!res.enqueued) throw new Error(res.reason);
    return finished(res.jobRunId);
  }

  async function runKind(kind: "verify" | "repair"): Promise<{ run: TJobRun; verdicts: Map<string, TStoredVerification>; log: string[] }> {
    const { jobRunId } = await startVerifyJob(w.app.db, boss, actor, w.integration.id, kind);
    const run = await finished(jobRunId);
    const rows = await verificationsOfRun(w.app.db, w.teamId, w.integration.id, run.id);
    const lines = await w.app.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, run.id)).orderBy(asc(extractionLogLines.id));
    return { run, verdicts: new Map(rows.map((r) => [r.tableKey, r])), log: lines.map((l) => `${l.level} ${l.message}`) };
  }

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Verify Jobs" });
    await sqlOn(
      w.sourceUrl,
      `CREATE TABLE ft (id int PRIMARY KEY, name text);
       INSERT INTO ft SELECT g, 'ft ' || g FROM generate_series(1, 400) g;
       CREATE TABLE kb (id int PRIMARY KEY, name text, amount numeric(10,2));
       INSERT INTO kb SELECT g, 'kb ' || g, g * 1.25 FROM generate_series(1, 400) g;
       CREATE TABLE lb (id int PRIMARY KEY, name text);
       INSERT INTO lb SELECT g, 'lb ' || g FROM generate_series(1, 400) g;`,
    );
    keys.ft = await selectTable(w, { name: "ft" }, { method: "full_table" });
    keys.kb = await selectTable(w, { name: "kb" }, { method: "key_based", replicationKey: ["id"] });
    keys.lb = await selectTable(w, { name: "lb" }, { method: "log_based" });
    actor = { teamId: w.teamId, userId: null, email: "verify-jobs@example.com" };
    boss = await startQueue(w.app.url);
    worker = await startWorker({ db: w.app.db, boss, handlers: jobHandlers, workerId: "verify-jobs", heartbeatMs: 200, concurrency: 2 });
  });
  afterAll(async () => {
    await worker?.stop();
    await boss?.stop({ graceful: false }).catch(() => undefined);
    await w?.close();
  });

  it("says Identical for every table after each method's first job, in the log and in the reports", async () => {
    firstExtract = await extract();
    expect(firstExtract).toMatchObject({ status: "succeeded", rowsLoaded: 1200 });
    // Off by default: the extraction verified nothing.
    expect(await verificationsOfRun(w.app.db, w.teamId, w.integration.id, firstExtract.id)).toEqual([]);

    const { run, verdicts, log } = await runKind("verify");
    expect(run).toMatchObject({ kind: "verify", status: "succeeded", error: null });
    for (const key of Object.values(keys)) {
      expect(verdicts.get(key)).toMatchObject({ status: "identical", sourceRows: 400, destinationRows: 400, differing: 0, repairedRows: null });
      expect(log).toContainEqual(expect.stringMatching(new RegExp(`^INFO Verify ${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: Identical, source 400 row\\(s\\), destination 400`)));
    }
    // No differences: no catch-up extraction ran inside the Verify.
    expect(log.some((l) => l.includes("catch-up extraction"))).toBe(false);

    const [listed] = await listJobs(w.app.db, w.teamId, w.integration.id);
    expect(listed).toMatchObject({ id: run.id, kind: "verify", verification: "3 identical" });
    const all = await allTablesReport(w.app.db, w.teamId, w.integration.id, "24h");
    expect(all.map((t) => t.verification?.label)).toEqual(["Identical", "Identical", "Identical"]);
    // A Verify job does not move the last extraction.
    const [dash] = (await dashboardSummary(w.app.db, w.teamId)).integrations;
    expect(dash!.lastStartedAt).toBe(firstExtract.startedAt!.toISOString());
    const audited = await w.app.db.select().from(auditEvents).where(eq(auditEvents.action, "job.verify_now"));
    expect(audited.map((a) => a.objectId)).toEqual([w.integration.id]);
  });

  it("names the keys of rows changed, deleted and added at the destination by hand", async () => {
    // Not the Key-based bookmark's row (id 400): the catch-up re-reads that one.
    await sqlOn(w.destUrl, `UPDATE ${dest("kb")} SET amount = 0 WHERE id = 100; DELETE FROM ${dest("kb")} WHERE id = 300; INSERT INTO ${dest("kb")} (id, name) VALUES (9999, 'intruder')`);
    await sqlOn(w.destUrl, `UPDATE ${dest("lb")} SET name = 'tampered' WHERE id = 200`);
    const { run, verdicts, log } = await runKind("verify");
    expect(run.status).toBe("succeeded");
    expect(verdicts.get(keys.kb)).toMatchObject({ status: "differs", differing: 3 });
    // In the order the ranges found them: sorted here.
    expect([...verdicts.get(keys.kb)!.firstKeys].sort((a, b) => Number(a.key.id) - Number(b.key.id))).toEqual([
      { kind: "changed", key: { id: "100" } },
      { kind: "missing", key: { id: "300" } },
      { kind: "extra", key: { id: "9999" } },
    ]);
    expect(verdicts.get(keys.lb)).toMatchObject({ status: "differs", differing: 1, firstKeys: [{ kind: "changed", key: { id: "200" } }] });
    expect(verdicts.get(keys.ft)).toMatchObject({ status: "identical" });
    expect(log).toContainEqual(expect.stringMatching(/^WARNING Verify .*"lb": 1 row differs, .*first keys: changed \{"id":"200"\}/));
    // Differences were found: the catch-up extraction ran in the same job before they were confirmed.
    expect(log.some((l) => l.includes("catch-up extraction"))).toBe(true);

    const all = await allTablesReport(w.app.db, w.teamId, w.integration.id, "24h");
    const kb = all.find((t) => t.tableKey === keys.kb)!.verification!;
    expect(kb).toMatchObject({ label: "3 rows differ", moreRows: 0 });
    expect([...kb.keys].sort()).toEqual(["id=100 (changed)", "id=300 (missing at the destination)", "id=9999 (only at the destination)"]);
  });

  it("Repair writes exactly the differing rows; Verify is then Identical", async () => {
    const { run, verdicts, log } = await runKind("repair");
    expect(run).toMatchObject({ kind: "repair", status: "succeeded" });
    expect(verdicts.get(keys.kb)).toMatchObject({ status: "identical", repairedRows: 3 });
    expect(verdicts.get(keys.lb)).toMatchObject({ status: "identical", repairedRows: 1 });
    expect(verdicts.get(keys.ft)).toMatchObject({ status: "identical", repairedRows: 0 });
    expect(log).toContain("INFO Repair: 4 row(s) written in 2 table(s)");
    expect(await sqlOn(w.destUrl, `SELECT id::text, amount::text FROM ${dest("kb")} WHERE id IN (100, 300, 9999) ORDER BY id`)).toEqual([
      { id: "100", amount: "125.00" },
      { id: "300", amount: "375.00" },
    ]);
    const all = await allTablesReport(w.app.db, w.teamId, w.integration.id, "24h");
    expect(all.find((t) => t.tableKey === keys.kb)!.verification).toMatchObject({ label: "Identical", repairedRows: 3 });

    const again = await runKind("verify");
    for (const key of Object.values(keys)) expect(again.verdicts.get(key)).toMatchObject({ status: "identical", differing: 0 });
  });

  it("Verify after each job: an extraction is followed by a Verify; a Verify never runs beside an extraction", async () => {
    await setVerifyAfterJob(w.app.db, actor, w.integration.id, true);
    await sqlOn(w.sourceUrl, `INSERT INTO kb SELECT g, 'kb ' || g, g FROM generate_series(401, 450) g; UPDATE lb SET name = 'changed' WHERE id <= 10`);
    const queued = await enqueueJob(w.app.db, boss, { teamId: w.teamId, integrationId: w.integration.id, kind: "extract", trigger: "manual" });
    if (!queued.enqueued) throw new Error(queued.reason);
    await waitFor(async () => (await getJobRun(w.app.db, queued.jobRunId))?.status === "running", 60_000, "the extraction to start");
    // Sent while the extraction runs: it waits for it in the same queue, whichever worker slot is free.
    const { jobRunId: verifyId } = await startVerifyJob(w.app.db, boss, actor, w.integration.id, "verify");
    const job = await finished(queued.jobRunId);
    const verify = await finished(verifyId);
    expect(job.status).toBe("succeeded");
    expect(verify.status).toBe("succeeded");
    expect(verify.startedAt!.getTime()).toBeGreaterThanOrEqual(job.finishedAt!.getTime());

    const after = await verificationsOfRun(w.app.db, w.teamId, w.integration.id, job.id);
    expect(after.map((v) => [v.tableKey, v.status, v.sourceRows]).sort()).toEqual(
      [
        [keys.ft, "identical", 400],
        [keys.kb, "identical", 450],
        [keys.lb, "identical", 400],
      ].sort(),
    );
    const lines = await w.app.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, job.id));
    expect(lines.map((l) => l.message)).toContain("Verify after each job is on: verifying every table");
    const audited = await w.app.db.select().from(auditEvents).where(eq(auditEvents.action, "integration.verify_after_job"));
    expect(audited.map((a) => a.details)).toEqual([expect.objectContaining({ before: false, after: true })]);
  });

  it("the catch-up brings over only incremental tables that differ; a Full Table table's source change is reported, not copied", async () => {
    await sqlOn(w.sourceUrl, `UPDATE ft SET name = 'changed at the source' WHERE id = 7`);
    await sqlOn(w.destUrl, `UPDATE ${dest("lb")} SET name = 'tampered' WHERE id = 300`);
    const { verdicts, log } = await runKind("verify");
    expect(verdicts.get(keys.ft)).toMatchObject({ status: "differs", differing: 1, firstKeys: [{ kind: "changed", key: { id: "7" } }] });
    expect(verdicts.get(keys.ft)!.note).toContain("Full Table copies the whole table at each job");
    expect(verdicts.get(keys.lb)).toMatchObject({ status: "differs", differing: 1, firstKeys: [{ kind: "changed", key: { id: "300" } }] });
    expect(log).toContainEqual(expect.stringMatching(/^INFO Catching up 1 table\(s\) of schema /));
    // Not copied again behind the user's back: the destination still has the last job's row.
    expect(await sqlOn(w.destUrl, `SELECT name FROM ${dest("ft")} WHERE id = 7`)).toEqual([{ name: "ft 7" }]);
  });
});
