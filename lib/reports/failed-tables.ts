import { and, asc, eq } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { tableLoads } from "@/db/schema";
import type { TJobOutcome } from "@/lib/jobs/worker";
import { tableLabel } from "./table-label";

export type TFailedTable = { tableKey: string; error: string | null };

// A job's error shows on the dashboard and in Sync Status: a few tables, each with a short reason.
const MAX_TABLES = 3;
const MAX_REASON = 160;

/** The tables whose load failed in this job, with their errors (the loading report's rows). */
export async function failedTablesOf(db: TDbOrTx, jobRunId: string): Promise<TFailedTable[]> {
  return db
    .select({ tableKey: tableLoads.tableKey, error: tableLoads.error })
    .from(tableLoads)
    .where(and(eq(tableLoads.jobRunId, jobRunId), eq(tableLoads.status, "failed")))
    .orderBy(asc(tableLoads.tableKey));
}

function reason(error: string | null): string {
  const first = (error ?? "no error recorded").split("\n")[0]!.trim();
  return first.length > MAX_REASON ? `${first.slice(0, MAX_REASON - 1)}…` : first;
}

/** `public.a (why); public.b (why); and 2 more`: names and first lines, bounded whatever the count. */
export function describeFailedTables(failed: TFailedTable[]): string {
  const shown = failed.slice(0, MAX_TABLES).map((t) => `${tableLabel(t.tableKey)} (${reason(t.error)})`);
  const more = failed.length - shown.length;
  return [...shown, ...(more > 0 ? [`and ${more} more (see Loading Reports)`] : [])].join("; ");
}

/**
 * The end of a job in which `failed` of its tables failed: a job with any failed table is not a success.
 * Some succeeded: outcome `partial` (the worker records it failed, keeping the rows the others loaded).
 * None did: the job throws. Either way the error names the tables and why.
 */
export async function failedTablesOutcome(db: TDbOrTx, jobRunId: string, counts: { failed: number; succeeded: number; rowsLoaded: number }): Promise<TJobOutcome> {
  const names = describeFailedTables(await failedTablesOf(db, jobRunId));
  const detail = names ? `: ${names}` : "; see the log and the loading report for each table's error";
  if (counts.succeeded === 0) throw new Error(`All ${counts.failed} table(s) failed${detail}`);
  return { outcome: "partial", rowsLoaded: counts.rowsLoaded, message: `${counts.failed} of ${counts.failed + counts.succeeded} table(s) failed${detail}` };
}
