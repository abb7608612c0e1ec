import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import pg from "pg";
import type PgBoss from "pg-boss";
import { integrations, jobRuns, tableSelections, type TIntegration } from "@/db/schema";
import { startQueue } from "@/lib/jobs/queue";
import { claimDueSlots, initializeNextRuns, rebaseFrequencySchedules, type TSchedulerEvent } from "@/lib/schedule/scheduler";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createIntegration, createTeamWithUser } from "../support/fixtures";

describe("scheduler steps against a real product database", () => {
  let app: TTestAppDb;
  let pool: pg.Pool;
  let boss: PgBoss;
  let teamId: string;

  beforeAll(async () => {
    app = await createAppDatabase();
    pool = new pg.Pool({ connectionString: app.url, max: 3 });
    boss = await startQueue(app.url, { supervise: false });
    teamId = (await createTeamWithUser(app.db)).team.id;
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await pool?.end();
    await app?.close();
  });

  const make = (extra: Parameters<typeof createIntegration>[3]) =>
    createIntegration(app.db, teamId, { host: "h", port: 1, user: "u", password: "p", database: "d" }, { paused: true, ...extra });
  const track = (i: TIntegration) =>
    app.db.insert(tableSelections).values({ integrationId: i.id, tableKey: `"d"."public"."t"`, finalized: { tracked: true, columns: ["id"], method: "full_table", replicationKey: [], viewKeyColumns: [] } });
  const nextOf = async (i: TIntegration) => (await app.db.select().from(integrations).where(eq(integrations.id, i.id)))[0]!.nextRunAt;
  const claim = async () => {
    const events: TSchedulerEvent[] = [];
    await claimDueSlots({ pool, boss, onEvent: (e) => events.push(e) });
    return events;
  };
  const pauseAll = () => app.db.update(integrations).set({ paused: true }).where(eq(integrations.teamId, teamId));

  it("first starts: frequency at once, anchor at its next slot, paused ones left alone", async () => {
    await pauseAll();
    const freq = await make({ name: "F", nextRunAt: null, paused: false });
    const anchor = await make({ name: "A", scheduleMode: "anchor", frequencyMinutes: 360, anchorTime: "05:45", nextRunAt: null, paused: false });
    const paused = await make({ name: "P", nextRunAt: null });
    const before = Date.now();
    await initializeNextRuns(app.db);
    expect(Math.abs((await nextOf(freq))!.getTime() - before)).toBeLessThan(5000);
    const a = (await nextOf(anchor))!;
    expect(a.getUTCMinutes()).toBe(45);
    expect([5, 11, 17, 23]).toContain(a.getUTCHours());
    expect(a.getTime() - before).toBeLessThanOrEqual(6 * 3600_000);
    expect(await nextOf(paused)).toBeNull();
  });

  it("a due frequency slot waits for finalized selections; a due cron slot without them moves on", async () => {
    await pauseAll();
    const freq = await make({ name: "F2", nextRunAt: new Date(Date.now() - 1000), paused: false });
    const cron = await make({ name: "C2", scheduleMode: "cron", cronExpression: "0 0 3 * * ?", nextRunAt: new Date(Date.now() - 1000), paused: false });
    expect(await claim()).toEqual([]);
    expect((await nextOf(freq))!.getTime()).toBeLessThan(Date.now());
    const c = (await nextOf(cron))!;
    expect(c.getTime()).toBeGreaterThan(Date.now());
    expect(c.getUTCHours()).toBe(3);

    await track(freq);
    const events = await claim();
    expect(events).toMatchObject([{ event: "schedule.started", integrationId: freq.id }]);
    const runs = await app.db.select().from(jobRuns).where(eq(jobRuns.integrationId, freq.id));
    expect(runs).toMatchObject([{ trigger: "schedule", status: "queued", kind: "extract" }]);
    expect(runs[0]!.queueJobId).not.toBeNull();
    // The queue job committed with the run row.
    expect((await boss.getJobById("extract", runs[0]!.queueJobId!))?.data).toEqual({ jobRunId: runs[0]!.id });
  });

  it("frequency counts from the previous job's real start, including Run Extraction Now", async () => {
    await pauseAll();
    const freq = await make({ name: "F3", frequencyMinutes: 60, nextRunAt: new Date(Date.now() + 10 * 60_000), paused: false });
    const manualStart = new Date(Date.now() - 5 * 60_000);
    await app.db.insert(jobRuns).values({ teamId, integrationId: freq.id, trigger: "manual", status: "succeeded", startedAt: manualStart, finishedAt: new Date() });
    await rebaseFrequencySchedules(app.db);
    expect((await nextOf(freq))!.getTime()).toBe(manualStart.getTime() + 60 * 60_000);
    // Never moves a start earlier.
    await app.db.update(integrations).set({ nextRunAt: new Date(manualStart.getTime() + 90 * 60_000) }).where(eq(integrations.id, freq.id));
    await rebaseFrequencySchedules(app.db);
    expect((await nextOf(freq))!.getTime()).toBe(manualStart.getTime() + 90 * 60_000);
  });

  it("a due slot while a job waits is skipped (logged in that job's log) and the next slot is set", async () => {
    await pauseAll();
    const cron = await make({ name: "C4", scheduleMode: "cron", cronExpression: "0 */5 * * * ?", nextRunAt: new Date(Date.now() - 1000), paused: false });
    await track(cron);
    const [waiting] = await app.db.insert(jobRuns).values({ teamId, integrationId: cron.id, trigger: "manual", status: "queued" }).returning();
    const events = await claim();
    expect(events).toMatchObject([{ event: "schedule.skipped", reason: "a job is already waiting to start" }]);
    const next = (await nextOf(cron))!;
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getUTCMinutes() % 5).toBe(0);
    expect((await app.db.select().from(jobRuns).where(eq(jobRuns.integrationId, cron.id))).map((r) => r.id)).toEqual([waiting!.id]);
  });
});
