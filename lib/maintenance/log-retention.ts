import { and, inArray, lt, sql } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { extractionLogLines, jobRuns } from "@/db/schema";

/** Extraction logs are kept this long (PRODUCT.md flow 10). */
export const LOG_RETENTION_DAYS = 60;

/**
 * Removes log lines older than the retention window and the finished jobs queued before it (their
 * loading-report rows go with them). Row usage per day is kept. Idempotent; any worker may run it.
 */
export async function removeExpiredLogs(db: TDbOrTx, opts: { now?: Date; days?: number } = {}): Promise<{ lines: number; jobs: number }> {
  const now = opts.now ?? new Date();
  const cutoff = new Date(now.getTime() - (opts.days ?? LOG_RETENTION_DAYS) * 24 * 3600 * 1000);
  const lines = await db.delete(extractionLogLines).where(lt(extractionLogLines.ts, cutoff));
  const jobs = await db
    .delete(jobRuns)
    .where(and(lt(jobRuns.queuedAt, cutoff), inArray(jobRuns.status, ["succeeded", "failed", "stopped"]), sql`coalesce(${jobRuns.finishedAt}, ${jobRuns.queuedAt}) < ${cutoff}`));
  return { lines: lines.rowCount ?? 0, jobs: jobs.rowCount ?? 0 };
}
