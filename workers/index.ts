/** The worker process: consumes the job queue; several may run against one product database. */
import { hostname } from "node:os";
import pino from "pino";
import { parseEnv, EnvError } from "@/lib/env";
import { createDb } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { startQueue } from "@/lib/jobs/queue";
import { startWorker } from "@/lib/jobs/worker";
import { startAuditRetention } from "@/lib/maintenance/audit-retention";
import { startScheduler } from "@/lib/schedule/scheduler";
import { jobHandlers } from "./handlers";

async function main(): Promise<void> {
  const env = parseEnv();
  const log = pino({ name: "worker", level: env.LOG_LEVEL });
  if (!env.DATABASE_URL) throw new EnvError("Invalid environment variable DATABASE_URL: required for the worker (npm start sets it)");
  if (!process.env.APP_SECRET) throw new EnvError("Invalid environment variable APP_SECRET: required for the worker (npm start sets it)");
  await migrateDatabase(env.DATABASE_URL);
  const { db, pool } = createDb(env.DATABASE_URL, env.WORKER_CONCURRENCY + 4);
  const boss = await startQueue(env.DATABASE_URL);
  const workerId = `${hostname()}:${process.pid}`;
  const worker = await startWorker({
    db,
    boss,
    handlers: jobHandlers,
    workerId,
    pool,
    concurrency: env.WORKER_CONCURRENCY,
    // Queue and sweep errors are warnings: a failing fetch can hold jobs back, and must be seen.
    onEvent: (event, detail) => (/\.error$|^lease\.lost$/.test(event) ? log.warn(detail, event) : log.info(detail, event)),
  });
  // Every worker runs the schedule loop; claims are row-locked, so each slot starts one job in total.
  const scheduler = startScheduler({ pool, boss, onEvent: (e) => log.info(e, e.event) });
  log.info({ workerId, queues: Object.keys(jobHandlers) }, "worker started");
  const stopRetention = startAuditRetention(db, {
    onDeleted: (count) => log.info({ count }, "deleted audit events older than a year"),
    onError: (err) => log.warn({ err: err instanceof Error ? err.message : String(err) }, "audit retention failed; retrying next hour"),
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "finishing the current step, then exiting");
    stopRetention();
    void scheduler
      .stop()
      .then(() => worker.stop())
      .then(() => pool.end())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((err: unknown) => {
  console.error(err instanceof EnvError ? err.message : `Worker failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
