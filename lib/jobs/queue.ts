import pg from "pg";
import PgBoss from "pg-boss";
import { z } from "zod";

/** Queue names; the extract queue lets one job per integration be active and one wait (pg-boss "stately"). */
export const QUEUES = { extract: "extract" } as const;

/**
 * Job kinds that run in the extract queue beside extractions: one job per integration at a time, so a
 * Verify or Repair never overlaps an extraction of the same integration (job_runs.kind tells them apart).
 */
export const EXTRACT_QUEUE_KINDS = ["extract", "verify", "repair"] as const;

/** The queue a run of this kind is sent to (other kinds have a queue of their own name). */
export function queueOfKind(kind: string): string {
  return (EXTRACT_QUEUE_KINDS as readonly string[]).includes(kind) ? QUEUES.extract : kind;
}

export const ZJobPayloadSchema = z.object({ jobRunId: z.string().uuid() });
export type TJobPayload = z.infer<typeof ZJobPayloadSchema>;

/**
 * A started pg-boss in the product database's "pgboss" schema; several processes may share it. pg-boss
 * runs its SQL through our pool so that every failed statement is reported as an "error" event: its own
 * fetch swallows errors (e.g. the unique-key violation of a job stuck behind an orphaned active one),
 * which left a blocked queue invisible in the worker's log.
 */
export async function startQueue(connectionString: string, opts: { supervise?: boolean } = {}): Promise<PgBoss> {
  const pool = new pg.Pool({ connectionString, max: 4, application_name: "pgreplicate-queue" });
  const db: PgBoss.Db = {
    async executeSql(text: string, values: unknown[]) {
      try {
        return await pool.query(text, values);
      } catch (err) {
        boss.emit("error", err instanceof Error ? err : new Error(String(err)));
        throw err;
      }
    },
  };
  const boss = new PgBoss({ db, schema: "pgboss", supervise: opts.supervise ?? true, schedule: false });
  pool.on("error", (err) => boss.emit("error", err));
  // Connection blips are retried by pg-boss; surfaced (the worker also logs them in its own log).
  watchQueueErrors(boss, (d) => process.emitWarning(`queue: ${d.error}${d.repeatedSinceLastReport ? ` (and ${d.repeatedSinceLastReport} more since the last report)` : ""}`));
  boss.on("stopped", () => void pool.end().catch(() => undefined));
  await boss.start();
  return boss;
}

/** Creates a queue once (idempotent across processes). */
export async function ensureQueue(boss: PgBoss, name: string): Promise<void> {
  const existing = await boss.getQueue(name);
  if (existing) return;
  try {
    await boss.createQueue(name, { name, policy: "stately", retryLimit: 0, expireInSeconds: 60 * 60 * 12 });
  } catch (err) {
    if (!(await boss.getQueue(name))) throw err;
  }
}

export type TQueueErrorReport = { queue?: string; error: string; repeatedSinceLastReport: number };

/**
 * A failing fetch repeats twice a second per poller: report each kind of error at once, then at most
 * every 10 s with how often it repeated. Returns the unsubscribe function.
 */
export function watchQueueErrors(boss: PgBoss, report: (detail: TQueueErrorReport) => void): () => void {
  const seen = new Map<string, { at: number; repeated: number }>();
  const onError = (err: Error & { queue?: string }) => {
    const key = err.message.replace(/ \(Queue: .*\)$/, "");
    const prev = seen.get(key);
    if (prev && Date.now() - prev.at < 10_000) {
      prev.repeated++;
      return;
    }
    report({ queue: err.queue, error: err.message, repeatedSinceLastReport: prev?.repeated ?? 0 });
    seen.set(key, { at: Date.now(), repeated: 0 });
  };
  boss.on("error", onError);
  return () => boss.off("error", onError);
}
