import { nextCronRuns } from "./cron";
import type { TSchedule } from "./options";

const MINUTE_MS = 60_000;

function anchorOffsetMs(anchorTime: string): number {
  const [h, m] = anchorTime.split(":").map(Number) as [number, number];
  return (h * 60 + m) * MINUTE_MS;
}

/**
 * Anchor slots are anchor + k × frequency for every integer k (UTC). Every frequency of one hour or more
 * divides a day, so this is the same set of times each day. Returns the first slot strictly after `after`.
 */
export function nextAnchorSlot(anchorTime: string, frequencyMinutes: number, after: Date): Date {
  const period = frequencyMinutes * MINUTE_MS;
  const offset = anchorOffsetMs(anchorTime);
  const k = Math.floor((after.getTime() - offset) / period) + 1;
  return new Date(offset + k * period);
}

/**
 * Frequency mode counts from the previous job's start: lastStart + k × frequency, the first such time
 * strictly after `after`. Without a previous job the first start is due at once.
 */
export function nextFrequencySlot(frequencyMinutes: number, lastStartedAt: Date | null, after: Date): Date {
  if (!lastStartedAt) return after;
  const period = frequencyMinutes * MINUTE_MS;
  const first = lastStartedAt.getTime() + period;
  if (first > after.getTime()) return new Date(first);
  const k = Math.floor((after.getTime() - lastStartedAt.getTime()) / period) + 1;
  return new Date(lastStartedAt.getTime() + k * period);
}

/**
 * When the next job is due, seen at `now`. For frequency mode a due time already passed (the worker was
 * down) is returned as is: the scheduler starts one catch-up job for it, never one per missed slot.
 */
export function nextStartAt(schedule: TSchedule, ctx: { now: Date; lastStartedAt: Date | null }): Date {
  switch (schedule.mode) {
    case "frequency":
      return ctx.lastStartedAt ? new Date(ctx.lastStartedAt.getTime() + schedule.frequencyMinutes * MINUTE_MS) : ctx.now;
    case "anchor":
      return nextAnchorSlot(schedule.anchorTime, schedule.frequencyMinutes, ctx.now);
    case "cron":
      return nextCronRuns(schedule.cronExpression, ctx.now, 1)[0] ?? farFuture();
  }
}

/** The next `count` start times as the preview shows them (if each job finishes before the next is due). */
export function previewStarts(schedule: TSchedule, ctx: { now: Date; lastStartedAt: Date | null }, count = 5): Date[] {
  if (schedule.mode === "cron") return nextCronRuns(schedule.cronExpression, ctx.now, count);
  const out: Date[] = [];
  const period = schedule.frequencyMinutes * MINUTE_MS;
  let t =
    schedule.mode === "anchor"
      ? nextAnchorSlot(schedule.anchorTime, schedule.frequencyMinutes, ctx.now)
      : new Date(Math.max(nextStartAt(schedule, ctx).getTime(), ctx.now.getTime()));
  for (let i = 0; i < count; i++) {
    out.push(t);
    t = new Date(t.getTime() + period);
  }
  return out;
}

export type TSlotDecision =
  | { action: "start"; nextRunAt: Date }
  | { action: "skip"; reason: string; nextRunAt: Date };

/**
 * What to do with a due slot. One job per integration at a time: when the previous job is still running
 * (or a job is already waiting) the slot is skipped, and the next slot is the schedule's next time after
 * now. Otherwise the job starts and the next slot is computed from now (frequency mode's is moved to the
 * new job's real start once it starts; see the scheduler's rebase).
 */
export function decideDueSlot(
  schedule: TSchedule,
  ctx: { now: Date; lastStartedAt: Date | null; activeJob: "running" | "queued" | null },
): TSlotDecision {
  if (ctx.activeJob) {
    const nextRunAt =
      schedule.mode === "frequency"
        ? nextFrequencySlot(schedule.frequencyMinutes, ctx.lastStartedAt ?? ctx.now, ctx.now)
        : nextStartAt(schedule, { now: ctx.now, lastStartedAt: ctx.lastStartedAt });
    const reason = ctx.activeJob === "running" ? "the previous job is still running" : "a job is already waiting to start";
    return { action: "skip", reason, nextRunAt };
  }
  const nextRunAt =
    schedule.mode === "frequency" ? new Date(ctx.now.getTime() + schedule.frequencyMinutes * MINUTE_MS) : nextStartAt(schedule, { now: ctx.now, lastStartedAt: ctx.now });
  return { action: "start", nextRunAt };
}

function farFuture(): Date {
  // A cron whose dates are all past (a year field) never runs again; keep it out of every claim.
  return new Date("9999-12-31T00:00:00Z");
}
