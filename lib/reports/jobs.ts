import { and, asc, desc, eq, gte, sql } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { extractionLogLines, jobRuns, tableLoads, type TJobStatus, type TLogLevel, type TLogLocation } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { getIntegration } from "@/lib/integrations/get";
import { LOG_RETENTION_DAYS } from "@/lib/maintenance/log-retention";
import { explainFailure } from "./failure";
import { describeRunVerification, verificationsByRun } from "./verification";

export type TJobSummary = {
  id: string;
  /** job_runs.kind: `extract`, `verify` or `repair` (the list says Extraction, Verify, Repair). */
  kind: string;
  status: TJobStatus;
  trigger: "schedule" | "manual" | "test";
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  rowsLoaded: number;
  error: string | null;
  /** Failed because some tables failed: the others' rows are loaded. */
  partialFailure: boolean;
  advice: string | null;
  /** What the job's verification found ("2 identical · 1 differs"), when it verified any table. */
  verification: string | null;
};

function summary(r: typeof jobRuns.$inferSelect, now: Date, verification: string | null = null): TJobSummary {
  const end = r.finishedAt ?? (r.status === "running" ? now : null);
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    trigger: r.trigger,
    queuedAt: r.queuedAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    durationMs: r.startedAt && end ? end.getTime() - r.startedAt.getTime() : null,
    rowsLoaded: r.rowsLoaded,
    error: r.error,
    partialFailure: r.partialFailure,
    advice: r.status === "failed" ? explainFailure(r.error) : null,
    verification,
  };
}

/** The integration's jobs of the last 60 days, newest first. */
export async function listJobs(db: TDbOrTx, teamId: string, integrationId: string, now = new Date()): Promise<TJobSummary[]> {
  await getIntegration(db, teamId, integrationId);
  const since = new Date(now.getTime() - LOG_RETENTION_DAYS * 86_400_000);
  const rows = await db
    .select()
    .from(jobRuns)
    .where(and(eq(jobRuns.teamId, teamId), eq(jobRuns.integrationId, integrationId), gte(jobRuns.queuedAt, since)))
    .orderBy(desc(jobRuns.queuedAt))
    .limit(2000);
  const verified = await verificationsByRun(db, integrationId, rows.map((r) => r.id));
  return rows.map((r) => {
    const v = verified.get(r.id);
    return summary(r, now, v ? describeRunVerification(v) : null);
  });
}

export type TJobsPerDay = { day: string; succeeded: number; failed: number };

/** Jobs finished per UTC day (succeeded counts stopped ones too; failed counts failures), last 60 days. */
export async function jobsPerDay(db: TDbOrTx, teamId: string, integrationId: string, now = new Date()): Promise<TJobsPerDay[]> {
  const since = new Date(now.getTime() - LOG_RETENTION_DAYS * 86_400_000);
  const rows = await db
    .select({
      day: sql<string>`to_char(date_trunc('day', ${jobRuns.queuedAt} at time zone 'UTC'), 'YYYY-MM-DD')`,
      succeeded: sql<number>`count(*) filter (where ${jobRuns.status} in ('succeeded','stopped'))::int`,
      failed: sql<number>`count(*) filter (where ${jobRuns.status} = 'failed')::int`,
    })
    .from(jobRuns)
    .where(and(eq(jobRuns.teamId, teamId), eq(jobRuns.integrationId, integrationId), gte(jobRuns.queuedAt, since)))
    .groupBy(sql`1`)
    .orderBy(sql`1`);
  return rows;
}

export type TLogLineOut = { id: number; ts: string; location: TLogLocation; level: TLogLevel; message: string };
export type TTableProgress = { tableKey: string; destinationTable: string; status: string; rowsDone: number; rowsEstimated: number | null; error: string | null };
export type TJobLog = { job: TJobSummary; lines: TLogLineOut[]; progress: TTableProgress[]; lastId: number };

/** One job of the team, or NOT_FOUND (another team's job looks like no job). */
export async function getTeamJob(db: TDbOrTx, teamId: string, jobId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(jobId)) throw new AppError("NOT_FOUND", "No such job");
  const [run] = await db.select().from(jobRuns).where(and(eq(jobRuns.id, jobId), eq(jobRuns.teamId, teamId))).limit(1);
  if (!run) throw new AppError("NOT_FOUND", "No such job");
  return run;
}

/**
 * A job's log lines after `afterId` (the follow cursor), filtered by level and text, with each table's
 * progress. Filtering happens in the database so a long log is not shipped to the browser.
 */
export async function getJobLog(
  db: TDbOrTx,
  teamId: string,
  jobId: string,
  opts: { afterId?: number; levels?: TLogLevel[]; q?: string; limit?: number } = {},
  now = new Date(),
): Promise<TJobLog> {
  const run = await getTeamJob(db, teamId, jobId);
  const conds = [eq(extractionLogLines.jobRunId, run.id), sql`${extractionLogLines.id} > ${opts.afterId ?? 0}`];
  if (opts.levels && opts.levels.length > 0) conds.push(sql`${extractionLogLines.level} in (${sql.join(opts.levels.map((l) => sql`${l}`), sql`, `)})`);
  if (opts.q) conds.push(sql`strpos(lower(${extractionLogLines.message}), lower(${opts.q})) > 0`);
  const lines = await db
    .select()
    .from(extractionLogLines)
    .where(and(...conds))
    .orderBy(asc(extractionLogLines.id))
    .limit(opts.limit ?? 5000);
  const progress = await db
    .select({ tableKey: tableLoads.tableKey, destinationTable: tableLoads.destinationTable, status: tableLoads.status, rowsDone: tableLoads.rowsDone, rowsEstimated: tableLoads.rowsEstimated, error: tableLoads.error })
    .from(tableLoads)
    .where(eq(tableLoads.jobRunId, run.id))
    .orderBy(asc(tableLoads.tableKey));
  const verified = run.integrationId ? (await verificationsByRun(db, run.integrationId, [run.id])).get(run.id) : undefined;
  return {
    job: summary(run, now, verified ? describeRunVerification(verified) : null),
    lines: lines.map((l) => ({ id: l.id, ts: l.ts.toISOString(), location: l.location, level: l.level, message: l.message })),
    progress,
    lastId: lines.at(-1)?.id ?? opts.afterId ?? 0,
  };
}

/** The whole log as a text file: one line per entry, "timestamp location level message". */
export async function jobLogAsText(db: TDbOrTx, teamId: string, jobId: string): Promise<{ filename: string; text: string }> {
  const run = await getTeamJob(db, teamId, jobId);
  const lines = await db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, run.id)).orderBy(asc(extractionLogLines.id));
  const header = [
    `# Extraction log of job ${run.id}`,
    `# status: ${run.status}; trigger: ${run.trigger}; queued ${run.queuedAt.toISOString()}; started ${run.startedAt?.toISOString() ?? "-"}; finished ${run.finishedAt?.toISOString() ?? "-"}; rows loaded ${run.rowsLoaded}`,
    ...(run.error ? [`# error: ${run.error}`] : []),
  ];
  const body = lines.map((l) => `${l.ts.toISOString()} ${l.location} ${l.level} ${l.message.replace(/\r?\n/g, "\n    ")}`);
  const stamp = (run.startedAt ?? run.queuedAt).toISOString().replace(/[:.]/g, "-");
  return { filename: `extraction-log-${stamp}-${run.id.slice(0, 8)}.txt`, text: [...header, ...body].join("\n") + "\n" };
}
