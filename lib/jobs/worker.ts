import { eq } from "drizzle-orm";
import type PgBoss from "pg-boss";
import type { TDb } from "@/db/client";
import { jobRuns, type TJobRun } from "@/db/schema";
import { createJobLogger, type TJobLogger } from "./log";
import { ensureQueue, ZJobPayloadSchema } from "./queue";
import { failAbandonedRuns, getJobRun } from "./runs";

export type TJobContext = {
  db: TDb;
  run: TJobRun;
  log: TJobLogger;
  /** True once Stop Extraction was pressed or the worker is shutting down: end after the current step. */
  shouldStop(): boolean;
};

/** `partial`: some tables failed, the others loaded (`rowsLoaded` counts theirs); recorded as a failed job. */
export type TJobOutcome = { outcome: "succeeded" | "stopped" | "partial"; rowsLoaded?: number; message?: string };
export type TJobHandler = (ctx: TJobContext) => Promise<TJobOutcome>;

export type TWorkerOptions = {
  db: TDb;
  boss: PgBoss;
  handlers: Record<string, TJobHandler>;
  workerId: string;
  concurrency?: number;
  heartbeatMs?: number;
  /** How often a running job looks for Stop Extraction. */
  stopPollMs?: number;
  /** A run whose heartbeat is older than this is failed by any worker's sweep. */
  staleAfterMs?: number;
  onEvent?: (event: string, detail: Record<string, unknown>) => void;
};

export type TWorker = { stop(): Promise<void> };

export async function startWorker(opts: TWorkerOptions): Promise<TWorker> {
  const { db, boss, handlers, workerId } = opts;
  const heartbeatMs = opts.heartbeatMs ?? 10_000;
  const stopPollMs = opts.stopPollMs ?? 1_000;
  const staleAfterMs = opts.staleAfterMs ?? 6 * heartbeatMs;
  const emit = opts.onEvent ?? (() => undefined);
  let shuttingDown = false;

  const execute = async (kind: string, handler: TJobHandler, jobRunId: string): Promise<void> => {
    const run = await getJobRun(db, jobRunId);
    if (!run || run.status !== "queued") {
      emit("job.skipped", { jobRunId, reason: run ? `status ${run.status}` : "no such run" });
      return;
    }
    if (run.stopRequestedAt) {
      await db.update(jobRuns).set({ status: "stopped", finishedAt: new Date() }).where(eq(jobRuns.id, run.id));
      return;
    }
    const now = new Date();
    await db.update(jobRuns).set({ status: "running", startedAt: now, heartbeatAt: now, workerId }).where(eq(jobRuns.id, run.id));
    const log = createJobLogger(db, run.id);
    let stopRequested = false;
    const heartbeat = setInterval(() => {
      void db.update(jobRuns).set({ heartbeatAt: new Date() }).where(eq(jobRuns.id, run.id)).catch(() => undefined);
    }, heartbeatMs);
    // Stop Extraction should take effect within about a second, not a heartbeat period: a cheap read by id.
    const stopPoll = setInterval(() => {
      void db
        .select({ stopRequestedAt: jobRuns.stopRequestedAt })
        .from(jobRuns)
        .where(eq(jobRuns.id, run.id))
        .then(([row]) => {
          if (row?.stopRequestedAt) stopRequested = true;
        })
        .catch(() => undefined);
    }, Math.min(stopPollMs, heartbeatMs));
    emit("job.started", { jobRunId: run.id, kind });
    log.info("main", `Job ${run.id} started (${run.trigger}) on worker ${workerId}`);
    const ctx: TJobContext = {
      db,
      run: { ...run, status: "running", startedAt: now },
      log,
      shouldStop: () => stopRequested || shuttingDown,
    };
    try {
      const result = await handler(ctx);
      const stopped = result.outcome === "stopped";
      // A job in which a table failed is a failed job: Sync Status, the dashboard and the daily counts say
      // so. partialFailure marks that the other tables' rows are loaded; the next job runs every table again.
      const partial = result.outcome === "partial";
      if (stopped) log.warn("main", shuttingDown ? "Worker shutting down: job ended after its current step; the next job continues from the saved bookmarks" : "Extraction stopped on request after its current step");
      if (partial) log.critical("main", `Job failed: ${result.message ?? "some tables failed"}. The other tables' rows are loaded; the next job retries the failed table(s)`);
      else log.info("main", `Job finished: ${result.outcome}${result.message ? ` — ${result.message}` : ""}`);
      await log.flush();
      await db
        .update(jobRuns)
        .set({
          status: stopped ? "stopped" : partial ? "failed" : "succeeded",
          partialFailure: partial,
          error: partial ? (result.message ?? "Some tables failed") : null,
          rowsLoaded: result.rowsLoaded ?? 0,
          finishedAt: new Date(),
        })
        .where(eq(jobRuns.id, run.id));
      emit(partial ? "job.failed" : "job.finished", { jobRunId: run.id, outcome: result.outcome });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.critical("main", `Job failed: ${message}`);
      await log.flush().catch(() => undefined);
      await db.update(jobRuns).set({ status: "failed", error: message, finishedAt: new Date() }).where(eq(jobRuns.id, run.id));
      emit("job.failed", { jobRunId: run.id, error: message });
    } finally {
      clearInterval(heartbeat);
      clearInterval(stopPoll);
    }
  };

  for (const [kind, handler] of Object.entries(handlers)) {
    await ensureQueue(boss, kind);
    for (let i = 0; i < (opts.concurrency ?? 1); i++) {
      await boss.work(kind, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const job of jobs) {
          const payload = ZJobPayloadSchema.parse(job.data);
          await execute(kind, handler, payload.jobRunId);
        }
      });
    }
  }

  const sweep = setInterval(() => {
    void failAbandonedRuns(db, staleAfterMs, boss)
      .then((n) => n > 0 && emit("runs.abandoned", { count: n }))
      .catch(() => undefined);
  }, heartbeatMs);

  return {
    async stop() {
      shuttingDown = true;
      clearInterval(sweep);
      // Waits for running handlers, which see shouldStop() and end after their current step.
      await boss.stop({ graceful: true, wait: true, timeout: 60_000 });
    },
  };
}
