import { z } from "zod";
import { validateQuartzCron } from "./cron";

/** Replication Frequency choices in minutes (seed 001, "Create a replication schedule"). */
export const FREQUENCY_MINUTES = [1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440] as const;
export type TFrequencyMinutes = (typeof FREQUENCY_MINUTES)[number];

/** Anchor scheduling needs a Replication Frequency of at least this many minutes. */
export const ANCHOR_MIN_FREQUENCY_MINUTES = 60;

export function frequencyLabel(minutes: number): string {
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = minutes / 60;
  return `${hours} hour${hours === 1 ? "" : "s"}`;
}

/** The schedule as the integration row stores it. */
export type TSchedule =
  | { mode: "frequency"; frequencyMinutes: number }
  | { mode: "anchor"; frequencyMinutes: number; anchorTime: string }
  | { mode: "cron"; cronExpression: string };

const ANCHOR_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * What the Schedule fields post (strings from a form or values from JSON). `scheduleType` picks interval
 * (Replication Frequency, optionally with an Anchor Time) or a Quartz cron expression.
 */
export const ZScheduleInputSchema = z
  .object({
    scheduleType: z.enum(["interval", "cron"], { message: "Choose an interval or a cron schedule" }),
    frequencyMinutes: z.coerce
      .number({ message: "Choose a Replication Frequency" })
      .refine((n) => (FREQUENCY_MINUTES as readonly number[]).includes(n), "Choose one of the listed Replication Frequencies"),
    anchorTime: z
      .string()
      .trim()
      .optional()
      .transform((s) => (s ? s.slice(0, 5) : ""))
      .refine((s) => s === "" || ANCHOR_TIME.test(s), "Enter the Anchor Time as HH:MM (24-hour, UTC)"),
    cronExpression: z.string().trim().max(200, "A cron expression is at most 200 characters").optional().default(""),
  })
  .superRefine((v, ctx) => {
    if (v.scheduleType === "cron") {
      if (!v.cronExpression) {
        ctx.addIssue({ code: "custom", path: ["cronExpression"], message: "Enter a cron expression, e.g. 0 0 2 * * ? (02:00 UTC daily)" });
        return;
      }
      const checked = validateQuartzCron(v.cronExpression);
      if (!checked.ok) ctx.addIssue({ code: "custom", path: ["cronExpression"], message: checked.message });
      return;
    }
    if (v.anchorTime && v.frequencyMinutes < ANCHOR_MIN_FREQUENCY_MINUTES) {
      ctx.addIssue({ code: "custom", path: ["anchorTime"], message: "Anchor Time needs a Replication Frequency of 1 hour or more" });
    }
  });
export type TScheduleInput = z.input<typeof ZScheduleInputSchema>;
export type TScheduleParsed = z.output<typeof ZScheduleInputSchema>;

/** The schedule a validated form input describes. */
export function scheduleFromInput(input: TScheduleParsed): TSchedule {
  if (input.scheduleType === "cron") return { mode: "cron", cronExpression: input.cronExpression };
  if (input.anchorTime) return { mode: "anchor", frequencyMinutes: input.frequencyMinutes, anchorTime: input.anchorTime };
  return { mode: "frequency", frequencyMinutes: input.frequencyMinutes };
}

/** The integration columns that hold a schedule. */
export type TScheduleColumns = {
  scheduleMode: "frequency" | "anchor" | "cron";
  frequencyMinutes: number;
  anchorTime: string | null;
  cronExpression: string | null;
};

export function scheduleToColumns(s: TSchedule, keepFrequency = 60): TScheduleColumns {
  switch (s.mode) {
    case "frequency":
      return { scheduleMode: "frequency", frequencyMinutes: s.frequencyMinutes, anchorTime: null, cronExpression: null };
    case "anchor":
      return { scheduleMode: "anchor", frequencyMinutes: s.frequencyMinutes, anchorTime: s.anchorTime, cronExpression: null };
    case "cron":
      return { scheduleMode: "cron", frequencyMinutes: keepFrequency, anchorTime: null, cronExpression: s.cronExpression };
  }
}

/** Reads a schedule back from the integration row (a row with an unusable value falls back to its frequency). */
export function scheduleFromColumns(row: TScheduleColumns): TSchedule {
  if (row.scheduleMode === "cron" && row.cronExpression && validateQuartzCron(row.cronExpression).ok) {
    return { mode: "cron", cronExpression: row.cronExpression };
  }
  if (row.scheduleMode === "anchor" && row.anchorTime && ANCHOR_TIME.test(row.anchorTime.slice(0, 5)) && row.frequencyMinutes >= ANCHOR_MIN_FREQUENCY_MINUTES) {
    return { mode: "anchor", frequencyMinutes: row.frequencyMinutes, anchorTime: row.anchorTime.slice(0, 5) };
  }
  return { mode: "frequency", frequencyMinutes: row.frequencyMinutes };
}

/** The form values that show a stored schedule. */
export function scheduleToInput(s: TSchedule, fallbackFrequency = 60): { scheduleType: "interval" | "cron"; frequencyMinutes: number; anchorTime: string; cronExpression: string } {
  if (s.mode === "cron") return { scheduleType: "cron", frequencyMinutes: fallbackFrequency, anchorTime: "", cronExpression: s.cronExpression };
  return { scheduleType: "interval", frequencyMinutes: s.frequencyMinutes, anchorTime: s.mode === "anchor" ? s.anchorTime : "", cronExpression: "" };
}

export function describeSchedule(s: TSchedule): string {
  switch (s.mode) {
    case "frequency":
      return `Every ${frequencyLabel(s.frequencyMinutes)}, measured from the previous job's start`;
    case "anchor":
      return `Every ${frequencyLabel(s.frequencyMinutes)}, anchored at ${s.anchorTime} UTC`;
    case "cron":
      return `Cron ${s.cronExpression} (UTC)`;
  }
}

/**
 * The schedule fields as an optional part of another form (the Add Integration connection form): absent
 * fields mean the default, a Replication Frequency of 1 hour. Compose with `.and(...)`.
 */
export const ZOptionalScheduleInputSchema = z.preprocess((raw) => {
  const o = raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  return { ...o, scheduleType: o.scheduleType || "interval", frequencyMinutes: o.frequencyMinutes || 60 };
}, ZScheduleInputSchema);
