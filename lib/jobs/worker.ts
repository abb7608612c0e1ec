import { and, eq, isNull } from "drizzle-orm";
import pg from "pg";
import type PgBoss from "pg-boss";
import type { TDb } from "@/db/client";
import { jobRuns, type TJobRun } from "@/db/schema";
import { createJobLogger, type TJobLogger } from "./log";
import { createLeaseSession, type TLeaseSession } from "./lease";
import { ensureQueue, watchQueueErrors, ZJobPayloadSchema } from "./queue";
import { getJobRun } from "./runs";
import { closeLoadsOfAbandonedRuns, repairCrashedJobs } from "./sweep";

export type TJobContext = {
  db: TDb;
  run: TJobRun;
  log: TJobLogger;
  /** True once Stop Extraction was pressed or the worker is shutting down: end after the current step. */
  shouldStop(): boolean;
  /**
   * Set for a catch-up inside Verify: an extraction replicates only these tables (by table key), reports
   * no missing ones and leaves a requested integration reset to the next full job.
   */
  onlyTables?: ReadonlySet<string>;
};

/** `partial`: some tables failed, the others loaded (`rowsLoaded` counts theirs); recorded as a failed job. */
export type TJobOutcome = { outcome: "succeeded" | "stopped" | "partial"; rowsLoaded?: number; message?: string };
export type TJobHandler = (ctx: TJobContext) => Promise<TJobOutcome>;

export type TWorkerOptions = {
  db: TDb;
  boss: PgBoss;
  handlers: Record<string, TJobHandler>;
  workerId: string;
  /** For the lease connection's settings; defaults to the pool behind `db`. */
  pool?: pg.Pool;
  concurrency?: number;
  heartbeatMs?: number;
  /** How often a running job looks for Stop Extraction. */
  stopPollMs?: number;
  /** How often this worker looks for jobs whose worker died (any worker repairs any job). */
  sweepMs?: number;
  /** How long a fetched queue job may wait for its worker to take its lease before the sweep frees it. */
  staleAfterMs?: number;
  onEvent?: (event: string, detail: Record<string, unknown>) => void;
};

export type TWorker = { stop(): Promise<void> };
type TEmit = NonNullable<TWorkerOptions["onEvent"]>;

function poolOf(opts: TWorkerOptions): pg.Pool {
  if (opts.pool) return opts.pool;
  const { db } = opts;
  if ("$client" in db && db.$client instanceof pg.Pool) return db.$client;
  throw new Error("startWorker needs the pg.Pool behind db (pass `pool`)");
}

export async function startWorker(opts: TWorkerOptions): Promise<TWorker> {
  const { db, boss, handlers } = opts;
  // Often: a run nobody leases is only failed once its heartbeat is 3 periods old.
  const heartbeatMs = opts.heartbeatMs ?? 1_000;
  const emit: TEmit = opts.onEvent ?? (() => undefined);
  const lease = createLeaseSession(poolOf(opts), (err) => emit("lease.lost", { error: err.message }));
  const stopReporting = watchQueueErrors(boss, (d) => emit("queue.error", d));
  const state = { shuttingDown: false };
  const runner = { db, lease, emit, workerId: opts.workerId, heartbeatMs, stopPollMs: opts.stopPollMs ?? 1_000, state };

  void closeLoadsOfAbandonedRuns(db)
    .then((n) => n > 0 && emit("loads.closed", { count: n }))
    .catch((err: unknown) => emit("sweep.error", { error: String(err) }));

  const sweepOnce = () =>
    repairCrashedJobs(db, { boss, handoffGraceMs: opts.staleAfterMs, staleHeartbeatMs: 3 * heartbeatMs, onQueueJobFreed: (d) => emit("queue.job_freed", d) })
      .then((n) => n > 0 && emit("runs.abandoned", { count: n }))
      .catch((err: unknown) => emit("sweep.error", { error: err instanceof Error ? err.message : String(err) }));
  // At once, not a period later: a worker restarted after a crash frees its predecessor's jobs. Not awaited:
  // a sweep waiting on a lock must not keep this worker from consuming its queue.
  void sweepOnce();

  for (const [kind, handler] of Object.entries(handlers)) {
    await ensureQueue(boss, kind);
    for (let i = 0; i < (opts.concurrency ?? 1); i++) {
      await boss.work(kind, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const job of jobs) {
          const payload = ZJobPayloadSchema.parse(job.data);
          await executeLeased(runner, kind, handler, payload.jobRunId);
        }
      });
    }
  }

  const sweep = setInterval(() => void sweepOnce(), opts.sweepMs ?? 2_000);

  return {
    async stop() {
      state.shuttingDown = true;
      clearInterval(sweep);
      // Waits for running handlers, which see shouldStop() and end after their current step.
      await boss.stop({ graceful: true, wait: true, timeout: 60_000 });
      stopReporting();
      await lease.close();
    },
  };
}

type TRunner = {
  db: TDb;
  lease: TLeaseSession;
  emit: TEmit;
  workerId: string;
  heartbeatMs: number;
  stopPollMs: number;
  state: { shuttingDown: boolean };
};

/** Takes the job's lease first: from then on a sweep can tell this worker is alive, and after a crash that it is not. */
async function executeLeased(r: TRunner, kind: string, handler: TJobHandler, jobRunId: string): Promise<void> {
  if (!(await r.lease.acquire(jobRunId))) {
    r.emit("job.skipped", { jobRunId, reason: "another worker holds it" });
    return;
  }
  try {
    const run = await claimRun(r, jobRunId);
    if (run) await execute(r, kind, handler, run);
  } finally {
    await r.lease.release(jobRunId);
  }
}

/** queued → running, only if still queued: a sweep that already failed the run wins, and so does Stop Extraction. */
async function claimRun(r: TRunner, jobRunId: string): Promise<TJobRun | null> {
  const now = new Date();
  const [run] = await r.db
    .update(jobRuns)
    .set({ status: "running", startedAt: now, heartbeatAt: now, workerId: r.workerId })
    .where(and(eq(jobRuns.id, jobRunId), eq(jobRuns.status, "queued"), isNull(jobRuns.stopRequestedAt)))
    .returning();
  if (run) return run;
  const current = await getJobRun(r.db, jobRunId);
  if (current?.status === "queued" && current.stopRequestedAt) {
    await r.db.update(jobRuns).set({ status: "stopped", finishedAt: new Date() }).where(and(eq(jobRuns.id, jobRunId), eq(jobRuns.status, "queued")));
  } else r.emit("job.skipped", { jobRunId, reason: current ? `status ${current.status}` : "no such run" });
  return null;
}

async function execute(r: TRunner, kind: string, handler: TJobHandler, run: TJobRun): Promise<void> {
  const { db, workerId } = r;
  const log = createJobLogger(db, run.id);
  const ours = and(eq(jobRuns.id, run.id), eq(jobRuns.status, "running"), eq(jobRuns.workerId, workerId));
  let stopRequested = false;
  let taken = false;
  const heartbeat = setInterval(() => {
    void db
      .update(jobRuns)
      .set({ heartbeatAt: new Date() })
      .where(ours)
      .returning({ id: jobRuns.id })
      .then((rows) => {
        // The sweep failed this run (our lease connection died): end it, another job may start.
        if (rows.length === 0) taken = true;
      })
      .catch(() => undefined);
  }, r.heartbeatMs);
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
  }, Math.min(r.stopPollMs, r.heartbeatMs));
  r.emit("job.started", { jobRunId: run.id, kind });
  log.info("main", `Job ${run.id} started (${run.trigger}) on worker ${workerId}`);
  const ctx: TJobContext = { db, run, log, shouldStop: () => stopRequested || taken || r.state.shuttingDown || r.lease.lost(run.id) };
  try {
    const result = await handler(ctx);
    await recordOutcome(r, run.id, log, result, ours);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.critical("main", `Job failed: ${message}`);
    await log.flush().catch(() => undefined);
    await db.update(jobRuns).set({ status: "failed", error: message, finishedAt: new Date() }).where(ours);
    r.emit("job.failed", { jobRunId: run.id, error: message });
  } finally {
    clearInterval(heartbeat);
    clearInterval(stopPoll);
  }
}

async function recordOutcome(r: TRunner, runId: string, log: TJobLogger, result: TJobOutcome, ours: ReturnType<typeof and>): Promise<void> {
  const stopped = result.outcome === "stopped";
  // A job in which a table failed is a failed job: Sync Status, the dashboard and the daily counts say
  // so. partialFailure marks that the other tables' rows are loaded; the next job runs every table again.
  const partial = result.outcome === "partial";
  if (stopped) log.warn("main", r.state.shuttingDown ? "Worker shutting down: job ended after its current step; the next job continues from the saved bookmarks" : "Extraction stopped on request after its current step");
  if (partial) log.critical("main", `Job failed: ${result.message ?? "some tables failed"}. The other tables' rows are loaded; the next job retries the failed table(s)`);
  else log.info("main", `Job finished: ${result.outcome}${result.message ? ` — ${result.message}` : ""}`);
  await log.flush();
  // Conditional on still being ours: a run the sweep already failed keeps the sweep's account of it.
  await r.db
    .update(jobRuns)
    .set({
      status: stopped ? "stopped" : partial ? "failed" : "succeeded",
      partialFailure: partial,
      error: partial ? (result.message ?? "Some tables failed") : null,
      rowsLoaded: result.rowsLoaded ?? 0,
      finishedAt: new Date(),
    })
    .where(ours);
  r.emit(partial ? "job.failed" : "job.finished", { jobRunId: runId, outcome: result.outcome });
}
