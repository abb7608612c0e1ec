import { describe, expect, it } from "vitest";
import { validateQuartzCron, nextCronRuns } from "@/lib/schedule/cron";
import { decideDueSlot, nextAnchorSlot, nextFrequencySlot, nextStartAt, previewStarts } from "@/lib/schedule/next-run";
import { scheduleFromColumns, scheduleFromInput, ZScheduleInputSchema, FREQUENCY_MINUTES } from "@/lib/schedule/options";

const iso = (ds: Date[]) => ds.map((d) => d.toISOString());
const at = (s: string) => new Date(s);

describe("Replication Frequency (measured from the previous job's start)", () => {
  it("offers exactly the seed's choices", () => {
    expect([...FREQUENCY_MINUTES]).toEqual([1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440]);
  });

  it("starts at once without a previous job, then previous start + frequency", () => {
    const now = at("2026-03-10T10:00:00Z");
    expect(nextStartAt({ mode: "frequency", frequencyMinutes: 30 }, { now, lastStartedAt: null }).toISOString()).toBe("2026-03-10T10:00:00.000Z");
    expect(nextStartAt({ mode: "frequency", frequencyMinutes: 30 }, { now, lastStartedAt: at("2026-03-10T09:47:13Z") }).toISOString()).toBe(
      "2026-03-10T10:17:13.000Z",
    );
  });

  it("previews five starts 1 hour apart from the last start", () => {
    const out = previewStarts({ mode: "frequency", frequencyMinutes: 60 }, { now: at("2026-03-10T10:00:00Z"), lastStartedAt: at("2026-03-10T09:30:00Z") });
    expect(iso(out)).toEqual(["2026-03-10T10:30:00.000Z", "2026-03-10T11:30:00.000Z", "2026-03-10T12:30:00.000Z", "2026-03-10T13:30:00.000Z", "2026-03-10T14:30:00.000Z"]);
  });

  it("keeps the previous start's phase when slots were missed", () => {
    // 09:00 start, every 10 min, at 09:35 the next is 09:40 (not 09:45).
    expect(nextFrequencySlot(10, at("2026-03-10T09:00:00Z"), at("2026-03-10T09:35:00Z")).toISOString()).toBe("2026-03-10T09:40:00.000Z");
    expect(nextFrequencySlot(10, at("2026-03-10T09:00:00Z"), at("2026-03-10T09:40:00Z")).toISOString()).toBe("2026-03-10T09:50:00.000Z");
  });

  it("a daily frequency across the European DST change stays 24 h apart (UTC)", () => {
    const out = previewStarts({ mode: "frequency", frequencyMinutes: 1440 }, { now: at("2026-03-28T00:00:00Z"), lastStartedAt: at("2026-03-27T01:30:00Z") }, 3);
    expect(iso(out)).toEqual(["2026-03-28T01:30:00.000Z", "2026-03-29T01:30:00.000Z", "2026-03-30T01:30:00.000Z"]);
  });
});

describe("Anchor Time (anchor + k × frequency)", () => {
  it("takes a past anchor today to the next slot from now", () => {
    const now = at("2026-05-04T10:30:00Z");
    expect(nextAnchorSlot("08:00", 1440, now).toISOString()).toBe("2026-05-05T08:00:00.000Z");
    expect(nextAnchorSlot("08:00", 120, now).toISOString()).toBe("2026-05-04T12:00:00.000Z");
    expect(nextAnchorSlot("08:15", 360, now).toISOString()).toBe("2026-05-04T14:15:00.000Z");
    expect(nextAnchorSlot("08:15", 60, now).toISOString()).toBe("2026-05-04T11:15:00.000Z");
  });

  it("a future anchor today is the next start", () => {
    expect(nextAnchorSlot("23:45", 1440, at("2026-05-04T10:30:00Z")).toISOString()).toBe("2026-05-04T23:45:00.000Z");
  });

  it("a start exactly on a slot moves to the following one", () => {
    expect(nextAnchorSlot("00:00", 720, at("2026-05-04T12:00:00Z")).toISOString()).toBe("2026-05-05T00:00:00.000Z");
  });

  it("crosses month and year ends and leap days", () => {
    expect(iso(previewStarts({ mode: "anchor", frequencyMinutes: 720, anchorTime: "06:00" }, { now: at("2028-02-28T20:00:00Z"), lastStartedAt: null }, 4))).toEqual([
      "2028-02-29T06:00:00.000Z",
      "2028-02-29T18:00:00.000Z",
      "2028-03-01T06:00:00.000Z",
      "2028-03-01T18:00:00.000Z",
    ]);
    expect(nextAnchorSlot("02:00", 1440, at("2026-12-31T03:00:00Z")).toISOString()).toBe("2027-01-01T02:00:00.000Z");
  });

  it("ignores DST: 02:30 UTC exists every day, including US and EU change days", () => {
    const out = previewStarts({ mode: "anchor", frequencyMinutes: 1440, anchorTime: "02:30" }, { now: at("2026-03-07T12:00:00Z"), lastStartedAt: null }, 3);
    expect(iso(out)).toEqual(["2026-03-08T02:30:00.000Z", "2026-03-09T02:30:00.000Z", "2026-03-10T02:30:00.000Z"]);
  });

  it("is refused below a 1 hour frequency", () => {
    const r = ZScheduleInputSchema.safeParse({ scheduleType: "interval", frequencyMinutes: "30", anchorTime: "08:00" });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["anchorTime"]);
    const ok = ZScheduleInputSchema.parse({ scheduleType: "interval", frequencyMinutes: "60", anchorTime: "08:00" });
    expect(scheduleFromInput(ok)).toEqual({ mode: "anchor", frequencyMinutes: 60, anchorTime: "08:00" });
  });
});

describe("Cron Expression (Quartz, with seconds, UTC)", () => {
  const from = at("2026-01-30T12:00:00Z");

  it("accepts ? and weekday ranges in Quartz numbering (2-6 = Monday–Friday)", () => {
    expect(validateQuartzCron("0 15 10 ? * 2-6")).toEqual({ ok: true });
    // 2026-01-30 is a Friday.
    expect(iso(nextCronRuns("0 15 10 ? * 2-6", from, 3))).toEqual(["2026-02-02T10:15:00.000Z", "2026-02-03T10:15:00.000Z", "2026-02-04T10:15:00.000Z"]);
    expect(iso(nextCronRuns("0 0 9 ? * MON-FRI", from, 2))).toEqual(["2026-02-02T09:00:00.000Z", "2026-02-03T09:00:00.000Z"]);
  });

  it("runs on the last day of each month with L, across February and leap years", () => {
    expect(iso(nextCronRuns("0 0 23 L * ?", from, 4))).toEqual(["2026-01-31T23:00:00.000Z", "2026-02-28T23:00:00.000Z", "2026-03-31T23:00:00.000Z", "2026-04-30T23:00:00.000Z"]);
    expect(iso(nextCronRuns("0 0 0 L 2 ?", from, 3))).toEqual(["2026-02-28T00:00:00.000Z", "2027-02-28T00:00:00.000Z", "2028-02-29T00:00:00.000Z"]);
  });

  it("honours seconds, hour ranges with steps and the optional year", () => {
    expect(iso(nextCronRuns("30 */20 8-9 * * ?", at("2026-01-30T08:50:00Z"), 3))).toEqual(["2026-01-30T09:00:30.000Z", "2026-01-30T09:20:30.000Z", "2026-01-30T09:40:30.000Z"]);
    expect(iso(nextCronRuns("0 0 6 1 1 ? 2030", from, 2))).toEqual(["2030-01-01T06:00:00.000Z"]);
  });

  it("skips months without a 31st and is unaffected by DST (UTC)", () => {
    expect(iso(nextCronRuns("0 30 2 31 * ?", at("2026-03-01T00:00:00Z"), 3))).toEqual(["2026-03-31T02:30:00.000Z", "2026-05-31T02:30:00.000Z", "2026-07-31T02:30:00.000Z"]);
    // 02:30 on the US (8 March) and EU (29 March) spring-forward days runs as usual in UTC.
    expect(iso(nextCronRuns("0 30 2 * * ?", at("2026-03-07T12:00:00Z"), 2))).toEqual(["2026-03-08T02:30:00.000Z", "2026-03-09T02:30:00.000Z"]);
    expect(iso(nextCronRuns("0 30 1 * * ?", at("2026-10-24T12:00:00Z"), 3))).toEqual(["2026-10-25T01:30:00.000Z", "2026-10-26T01:30:00.000Z", "2026-10-27T01:30:00.000Z"]);
  });

  it("refuses what Quartz refuses, with a message that says what to change", () => {
    const five = validateQuartzCron("0 2 * * *");
    expect(five).toMatchObject({ ok: false, message: expect.stringContaining("6 or 7 fields") });
    expect(validateQuartzCron("0 0 12 1 * MON")).toMatchObject({ ok: false, message: expect.stringContaining("Use ? in either") });
    expect(validateQuartzCron("0 0 25 * * ?")).toMatchObject({ ok: false, message: expect.stringContaining("hour") });
    expect(validateQuartzCron("0 61 * * * ?")).toMatchObject({ ok: false, message: expect.stringContaining("Not a valid cron expression") });
    expect(validateQuartzCron("not a cron at all")).toMatchObject({ ok: false });
    expect(validateQuartzCron("0 0 0 1 1 ? 2001")).toMatchObject({ ok: false, message: expect.stringContaining("never runs again") });
  });

  it("comes back as a field error from the schema", () => {
    const r = ZScheduleInputSchema.safeParse({ scheduleType: "cron", frequencyMinutes: "60", cronExpression: "every day" });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join("."))).toEqual(["cronExpression"]);
    const empty = ZScheduleInputSchema.safeParse({ scheduleType: "cron", frequencyMinutes: "60", cronExpression: "  " });
    expect(empty.error?.issues[0]?.message).toContain("Enter a cron expression");
  });

  it("previews the next five runs", () => {
    expect(iso(previewStarts({ mode: "cron", cronExpression: "0 0 */6 * * ?" }, { now: from, lastStartedAt: null }))).toEqual([
      "2026-01-30T18:00:00.000Z",
      "2026-01-31T00:00:00.000Z",
      "2026-01-31T06:00:00.000Z",
      "2026-01-31T12:00:00.000Z",
      "2026-01-31T18:00:00.000Z",
    ]);
  });
});

describe("skip on overrun", () => {
  const now = at("2026-06-01T12:00:00Z");

  it("skips a due slot while the previous job runs; the next slot follows the schedule", () => {
    const freq = decideDueSlot({ mode: "frequency", frequencyMinutes: 30 }, { now, lastStartedAt: at("2026-06-01T11:30:00Z"), activeJob: "running" });
    expect(freq).toEqual({ action: "skip", reason: "the previous job is still running", nextRunAt: at("2026-06-01T12:30:00Z") });
    const anchor = decideDueSlot({ mode: "anchor", frequencyMinutes: 60, anchorTime: "00:00" }, { now, lastStartedAt: at("2026-06-01T11:00:00Z"), activeJob: "running" });
    expect(anchor).toMatchObject({ action: "skip", nextRunAt: at("2026-06-01T13:00:00Z") });
    const cron = decideDueSlot({ mode: "cron", cronExpression: "0 */15 * * * ?" }, { now, lastStartedAt: null, activeJob: "queued" });
    expect(cron).toEqual({ action: "skip", reason: "a job is already waiting to start", nextRunAt: at("2026-06-01T12:15:00Z") });
  });

  it("starts when nothing runs; a worker back from downtime starts one catch-up job, not one per missed slot", () => {
    const d = decideDueSlot({ mode: "anchor", frequencyMinutes: 60, anchorTime: "00:30" }, { now, lastStartedAt: at("2026-06-01T07:30:00Z"), activeJob: null });
    expect(d).toEqual({ action: "start", nextRunAt: at("2026-06-01T12:30:00Z") });
    const f = decideDueSlot({ mode: "frequency", frequencyMinutes: 5 }, { now, lastStartedAt: at("2026-06-01T09:00:00Z"), activeJob: null });
    expect(f).toEqual({ action: "start", nextRunAt: at("2026-06-01T12:05:00Z") });
  });
});

describe("stored schedules", () => {
  it("reads each mode back, and falls back to the frequency when a stored value is unusable", () => {
    const base = { frequencyMinutes: 120, anchorTime: null, cronExpression: null };
    expect(scheduleFromColumns({ ...base, scheduleMode: "frequency" })).toEqual({ mode: "frequency", frequencyMinutes: 120 });
    expect(scheduleFromColumns({ ...base, scheduleMode: "anchor", anchorTime: "07:05" })).toEqual({ mode: "anchor", frequencyMinutes: 120, anchorTime: "07:05" });
    expect(scheduleFromColumns({ ...base, scheduleMode: "cron", cronExpression: "0 0 1 ? * 1" })).toEqual({ mode: "cron", cronExpression: "0 0 1 ? * 1" });
    expect(scheduleFromColumns({ ...base, scheduleMode: "cron", cronExpression: "garbage" })).toEqual({ mode: "frequency", frequencyMinutes: 120 });
  });
});

describe("schedule fields inside another form", () => {
  it("default to a 1 hour Replication Frequency when absent, and still validate when present", async () => {
    const { ZOptionalScheduleInputSchema } = await import("@/lib/schedule/options");
    expect(scheduleFromInput(ZOptionalScheduleInputSchema.parse({ name: "x" }))).toEqual({ mode: "frequency", frequencyMinutes: 60 });
    expect(scheduleFromInput(ZOptionalScheduleInputSchema.parse({ scheduleType: "cron", cronExpression: "0 0 1 ? * 2" }))).toEqual({ mode: "cron", cronExpression: "0 0 1 ? * 2" });
    const bad = ZOptionalScheduleInputSchema.safeParse({ scheduleType: "cron", cronExpression: "0 0 1 1 * MON" });
    expect(bad.error?.issues[0]?.path).toEqual(["cronExpression"]);
  });
});
