import { Cron } from "croner";

/**
 * Quartz-style cron: SECOND MINUTE HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK [YEAR], evaluated in UTC, weekdays
 * 1–7 = Sunday–Saturday (or SUN–SAT), `?`, ranges, lists, steps, `L`, `W` and `#` (parsed by croner).
 */
const OPTIONS = { timezone: "Etc/UTC", mode: "6-or-7-parts", alternativeWeekdays: true, paused: true } as const;

export type TCronCheck = { ok: true } | { ok: false; message: string };

const FIELD_NAMES = ["second", "minute", "hour", "day of month", "month", "day of week", "year"];

function restricted(field: string): boolean {
  return field !== "*" && field !== "?";
}

function build(expression: string): Cron {
  return new Cron(expression, OPTIONS);
}

/** Checks an expression the way the server accepts it; the message says what to change. */
export function validateQuartzCron(expression: string): TCronCheck {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length < 6 || fields.length > 7) {
    return {
      ok: false,
      message: `A Quartz cron expression has 6 or 7 fields (second minute hour day-of-month month day-of-week [year]); this one has ${fields.length}. Example: 0 0 2 * * ? runs at 02:00 UTC daily.`,
    };
  }
  const [, , , dom, , dow] = fields as [string, string, string, string, string, string];
  if (restricted(dom) && restricted(dow)) {
    return { ok: false, message: "Use ? in either day-of-month or day-of-week (Quartz cannot combine both), e.g. 0 0 12 ? * 2-6 for weekdays at noon." };
  }
  let cron: Cron;
  try {
    cron = build(fields.join(" "));
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    const detail = raw.replace(/^CronPattern:\s*/i, "");
    return { ok: false, message: `Not a valid cron expression: ${detail.replace(/\.$/, "")}. Fields are ${FIELD_NAMES.join(", ")} (year optional), in UTC.` };
  }
  if (!cron.nextRun(new Date())) return { ok: false, message: "This cron expression never runs again (its dates are all in the past)." };
  return { ok: true };
}

/** The next `count` run times strictly after `after`, in UTC. Throws on an invalid expression. */
export function nextCronRuns(expression: string, after: Date, count: number): Date[] {
  const cron = build(expression.trim().split(/\s+/).join(" "));
  return cron.nextRuns(count, after);
}
