/**
 * A real worker process for the scheduler tests: the queue consumer and the schedule loop against the
 * product database in DATABASE_URL, with a test stand-in for the `extract` handler that logs and takes
 * HANDLER_MS. Prints one JSON line per event on stdout.
 */
import { createDb } from "@/db/client";
import { startQueue } from "@/lib/jobs/queue";
import { startWorker } from "@/lib/jobs/worker";
import { startScheduler } from "@/lib/schedule/scheduler";

const url = process.env.DATABASE_URL!;
const handlerMs = Number(process.env.HANDLER_MS ?? 200);
const name = process.env.WORKER_NAME ?? String(process.pid);
const print = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ worker: name, ...o })}\n`);

async function main(): Promise<void> {
  const { db, pool } = createDb(url, 6);
  const boss = await startQueue(url);
  const worker = await startWorker({
    db,
    boss,
    workerId: name,
    heartbeatMs: Number(process.env.HEARTBEAT_MS ?? 200),
    concurrency: Number(process.env.WORKER_CONCURRENCY ?? 1),
    handlers: {
      extract: async ({ log, shouldStop }) => {
        log.info("tap", "test extraction step");
        const until = Date.now() + handlerMs;
        while (Date.now() < until && !shouldStop()) await new Promise((r) => setTimeout(r, 20));
        return { outcome: shouldStop() ? "stopped" : "succeeded", rowsLoaded: 1 };
      },
    },
    onEvent: (event, detail) => print({ event, ...detail }),
  });
  const scheduler = startScheduler({ pool, boss, tickMs: Number(process.env.TICK_MS ?? 200), onEvent: (e) => print({ ...e }) });
  print({ event: "ready" });
  process.on("SIGTERM", () => {
    void scheduler
      .stop()
      .then(() => worker.stop())
      .then(() => pool.end())
      .then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
