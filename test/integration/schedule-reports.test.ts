import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { extractionLogLines, integrations, jobRuns, rowUsage, tableLoads, tableSelections, type TIntegration } from "@/db/schema";
import { dashboardSummary } from "@/lib/reports/dashboard";
import { getJobLog, jobLogAsText, jobsPerDay, listJobs } from "@/lib/reports/jobs";
import { allTablesReport, rowsLoadedOverTime, tableLoadsReport } from "@/lib/reports/loading";
import { removeExpiredLogs } from "@/lib/maintenance/log-retention";
import { finishTableLoad, startTableLoad, tableLoadProgress } from "@/lib/replication/reports";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createIntegration, createTeamWithUser } from "../support/fixtures";

const NOW = new Date("2026-06-15T12:00:00Z");
const ago = (h: number) => new Date(NOW.getTime() - h * 3600_000);
const T1 = '"shop"."public"."orders"';
const T2 = '"shop"."public"."customers"';

describe("report queries (dashboard, Extraction Logs, Loading Reports) on rows a job would write", () => {
  let app: TTestAppDb;
  let teamId: string;
  let otherTeamId: string;
  let integ: TIntegration;
  let failedJob: string;
  let okJob: string;
  let oldJob: string;

  async function job(values: Partial<typeof jobRuns.$inferInsert> & { queuedAt: Date }) {
    const [r] = await app.db
      .insert(jobRuns)
      .values({ teamId, integrationId: integ.id, trigger: "schedule", status: "succeeded", ...values })
      .returning({ id: jobRuns.id });
    return r!.id;
  }

  beforeAll(async () => {
    app = await createAppDatabase();
    teamId = (await createTeamWithUser(app.db)).team.id;
    otherTeamId = (await createTeamWithUser(app.db)).team.id;
    integ = await createIntegration(app.db, teamId, { host: "h", port: 1, user: "u", password: "p", database: "shop" }, { name: "Shop", nextRunAt: ago(-2) });
    await app.db.insert(tableSelections).values({ integrationId: integ.id, tableKey: T2, finalized: { tracked: true, columns: ["id"], method: "full_table", replicationKey: [], viewKeyColumns: [] } });

    okJob = await job({ queuedAt: ago(3), startedAt: ago(3), finishedAt: ago(2.5), rowsLoaded: 150 });
    failedJob = await job({ queuedAt: ago(30), startedAt: ago(30), finishedAt: ago(29.9), status: "failed", error: 'password authentication failed for user "repl"', trigger: "manual" });
    oldJob = await job({ queuedAt: ago(24 * 61), startedAt: ago(24 * 61), finishedAt: ago(24 * 61 - 1) });
    await app.db.insert(extractionLogLines).values([
      { jobRunId: okJob, ts: ago(3), location: "main", level: "INFO", message: "Job started" },
      { jobRunId: okJob, ts: ago(2.9), location: "tap", level: "INFO", message: "Running: SELECT * FROM orders" },
      { jobRunId: okJob, ts: ago(2.8), location: "target", level: "WARNING", message: "State update: {\"bookmark\": 42}" },
      { jobRunId: okJob, ts: ago(2.7), location: "main", level: "INFO", message: "Job finished: succeeded" },
      { jobRunId: oldJob, ts: ago(24 * 61), location: "main", level: "INFO", message: "ancient" },
    ]);
    await app.db.insert(tableLoads).values([
      { jobRunId: okJob, integrationId: integ.id, tableKey: T1, destinationTable: "orders", method: "key_based", status: "succeeded", rowsEstimated: 100, rowsDone: 100, rowsInserted: 90, rowsUpdated: 10, maxBookmark: "42", extractedAt: ago(3), completedAt: ago(2.6) },
      { jobRunId: okJob, integrationId: integ.id, tableKey: T2, destinationTable: "customers", method: "full_table", status: "succeeded", rowsEstimated: 50, rowsDone: 50, rowsInserted: 50, extractedAt: ago(3), completedAt: ago(2.7) },
      { jobRunId: failedJob, integrationId: integ.id, tableKey: T1, destinationTable: "orders", method: "key_based", status: "failed", rowsInserted: 0, maxBookmark: "40", extractedAt: ago(30), completedAt: ago(29.9), error: "boom" },
      { jobRunId: failedJob, integrationId: integ.id, tableKey: T2, destinationTable: "customers", method: "full_table", status: "succeeded", rowsInserted: 7, extractedAt: ago(24 * 6), completedAt: ago(24 * 6) },
    ]);
    await app.db.insert(rowUsage).values([
      { integrationId: integ.id, day: "2026-06-15", rows: 150 },
      { integrationId: integ.id, day: "2026-06-14", rows: 7 },
      { integrationId: integ.id, day: "2026-04-01", rows: 999 },
    ]);
  });
  afterAll(async () => {
    await app?.close();
  });

  it("lists the last 60 days' jobs with duration and rows; failures carry actionable advice", async () => {
    const jobs = await listJobs(app.db, teamId, integ.id, NOW);
    expect(jobs.map((j) => j.id)).toEqual([okJob, failedJob]);
    expect(jobs[0]).toMatchObject({ status: "succeeded", trigger: "schedule", durationMs: 30 * 60_000, rowsLoaded: 150, advice: null });
    expect(jobs[1]!.advice).toBe("The password for user repl was rejected. Enter the right Password in Settings.");
    expect(await jobsPerDay(app.db, teamId, integ.id, NOW)).toEqual([
      { day: "2026-06-14", succeeded: 0, failed: 1 },
      { day: "2026-06-15", succeeded: 1, failed: 0 },
    ]);
    await expect(listJobs(app.db, otherTeamId, integ.id, NOW)).rejects.toThrow("No such integration");
  });

  it("follows a log from a cursor, filters by level and text, and shows per-table progress", async () => {
    const first = await getJobLog(app.db, teamId, okJob, {}, NOW);
    expect(first.lines.map((l) => l.message)).toEqual(["Job started", "Running: SELECT * FROM orders", 'State update: {"bookmark": 42}', "Job finished: succeeded"]);
    expect(first.progress.map((p) => [p.tableKey, p.rowsDone, p.rowsEstimated])).toEqual([
      [T2, 50, 50],
      [T1, 100, 100],
    ]);
    const after = await getJobLog(app.db, teamId, okJob, { afterId: first.lines[1]!.id }, NOW);
    expect(after.lines.map((l) => l.location)).toEqual(["target", "main"]);
    expect(after.lastId).toBe(first.lastId);
    expect((await getJobLog(app.db, teamId, okJob, { levels: ["WARNING"] }, NOW)).lines).toHaveLength(1);
    expect((await getJobLog(app.db, teamId, okJob, { q: "select *" }, NOW)).lines.map((l) => l.location)).toEqual(["tap"]);
    await expect(getJobLog(app.db, otherTeamId, okJob)).rejects.toThrow("No such job");
  });

  it("downloads the log as text lines of timestamp, location, level, message", async () => {
    const { filename, text } = await jobLogAsText(app.db, teamId, okJob);
    expect(filename).toMatch(/^extraction-log-2026-06-15T09-00-00-000Z-[0-9a-f]{8}\.txt$/);
    expect(text.split("\n").slice(2, 4)).toEqual(["2026-06-15T09:00:00.000Z main INFO Job started", "2026-06-15T09:06:00.000Z tap INFO Running: SELECT * FROM orders"]);
    await expect(jobLogAsText(app.db, otherTeamId, okJob)).rejects.toThrow("No such job");
  });

  it("loading reports: all tables per range with latest bookmark (or none), per table, rows over time", async () => {
    const day = await allTablesReport(app.db, teamId, integ.id, "24h", NOW);
    expect(day).toEqual([
      expect.objectContaining({ tableKey: T2, tracked: true, maxBookmark: null, rowsLoaded: 50 }),
      expect.objectContaining({ tableKey: T1, tracked: false, maxBookmark: "42", rowsLoaded: 100, lastExtractedAt: ago(3).toISOString() }),
    ]);
    const week = await allTablesReport(app.db, teamId, integ.id, "7d", NOW);
    expect(week.find((r) => r.tableKey === T2)!.rowsLoaded).toBe(57);
    const perTable = await tableLoadsReport(app.db, teamId, integ.id, T1, "7d", NOW);
    expect(perTable.map((r) => [r.status, r.maxBookmark, r.rowsLoaded])).toEqual([
      ["succeeded", "42", 100],
      ["failed", "40", 0],
    ]);
    const hourly = await rowsLoadedOverTime(app.db, teamId, integ.id, "24h", undefined, NOW);
    expect(hourly).toHaveLength(25);
    expect(hourly.find((b) => b.bucket === "2026-06-15T09:00")!.rows).toBe(150);
    expect(hourly.reduce((a, b) => a + b.rows, 0)).toBe(150);
    const daily = await rowsLoadedOverTime(app.db, teamId, integ.id, "7d", T2, NOW);
    expect(daily.filter((b) => b.rows > 0)).toEqual([
      { bucket: "2026-06-09T00:00", rows: 7 },
      { bucket: "2026-06-15T00:00", rows: 50 },
    ]);
    await expect(allTablesReport(app.db, otherTeamId, integ.id, "24h", NOW)).rejects.toThrow("No such integration");
  });

  it("dashboard: status, last and next start, rows in 24 hours, usage per day; Paused hides the next start", async () => {
    const d = await dashboardSummary(app.db, teamId, NOW);
    expect(d.integrations).toEqual([
      expect.objectContaining({ name: "Shop", status: "Succeeded", rows24h: 150, lastStartedAt: ago(3).toISOString(), nextRunAt: ago(-2).toISOString(), activeJobId: null, schedule: "Every 1 hour, measured from the previous job's start" }),
    ]);
    expect(d.usage).toHaveLength(30);
    expect(d.usage.at(-1)).toEqual({ day: "2026-06-15", Shop: 150 });
    expect(d.usage.at(-2)).toEqual({ day: "2026-06-14", Shop: 7 });
    expect(d.usage.some((u) => u.day === "2026-04-01")).toBe(false);
    expect((await dashboardSummary(app.db, otherTeamId, NOW)).integrations).toEqual([]);

    await app.db.update(integrations).set({ paused: true }).where(eq(integrations.id, integ.id));
    const paused = await dashboardSummary(app.db, teamId, NOW);
    expect(paused.integrations[0]).toMatchObject({ status: "Paused", nextRunAt: null });
    await app.db.update(integrations).set({ paused: false }).where(eq(integrations.id, integ.id));
  });

  it("a running table's rows so far: written at most once a second, in order, and never after the final figures", async () => {
    const load = () => startTableLoad(app.db, { jobRunId: okJob, integrationId: integ.id, tableKey: T1, destinationTable: "orders", method: "log_based", rowsEstimated: 100 });
    const rowsDone = async (id: string) => (await app.db.select({ n: tableLoads.rowsDone }).from(tableLoads).where(eq(tableLoads.id, id)))[0]!.n;

    const throttled = await load();
    const slow = tableLoadProgress(app.db, throttled);
    for (let n = 1; n <= 30; n++) slow.report(n);
    await slow.settled();
    expect(await rowsDone(throttled)).toBe(1); // the first count at once, the next not before a second

    const id = await load();
    const every = tableLoadProgress(app.db, id, 0);
    for (let n = 1; n <= 40; n++) every.report(n);
    await every.settled();
    expect(await rowsDone(id)).toBe(40);
    await finishTableLoad(app.db, id, { status: "succeeded", result: { rowsInserted: 41, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 41 }, maxBookmark: null });
    expect(await rowsDone(id)).toBe(41);
    for (const made of [throttled, id]) await app.db.delete(tableLoads).where(eq(tableLoads.id, made));
  });

  it("the worker's retention removes logs and finished jobs older than 60 days, keeping the rest", async () => {
    expect(await removeExpiredLogs(app.db, { now: NOW })).toEqual({ lines: 1, jobs: 1 });
    expect(await app.db.select().from(jobRuns).where(eq(jobRuns.id, oldJob))).toEqual([]);
    expect((await getJobLog(app.db, teamId, okJob, {}, NOW)).lines).toHaveLength(4);
    expect(await removeExpiredLogs(app.db, { now: NOW })).toEqual({ lines: 0, jobs: 0 });
  });
});
