import PgBoss from "pg-boss";
import { z } from "zod";

/** Queue names; the extract queue lets one job per integration be active and one wait (pg-boss "stately"). */
export const QUEUES = { extract: "extract" } as const;

export const ZJobPayloadSchema = z.object({ jobRunId: z.string().uuid() });
export type TJobPayload = z.infer<typeof ZJobPayloadSchema>;

/** A started pg-boss in the product database's "pgboss" schema; several processes may share it. */
export async function startQueue(connectionString: string, opts: { supervise?: boolean } = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString,
    schema: "pgboss",
    application_name: "pgreplicate-queue",
    max: 4,
    supervise: opts.supervise ?? true,
    schedule: false,
  });
  boss.on("error", (err: Error) => {
    // Connection blips are retried by pg-boss; surfaced for the worker's log.
    process.emitWarning(`queue: ${err.message}`);
  });
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
