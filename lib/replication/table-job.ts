import type { TIntegration } from "@/db/schema";
import type { TSource } from "@/lib/connectors/contracts";
import type { TDestinationLoader } from "@/lib/connectors/postgres/destination";
import type { TJobContext } from "@/lib/jobs/worker";
import { acknowledgeTableReset, requestTableReset } from "@/lib/selection/finalized";
import { applySourceSchema } from "./key-based-schema";
import { openLoadReport, type TLoadReport } from "./load-report";
import type { TMethodState } from "./method-state";
import type { TTableMethod } from "./method-registry";
import { mirrorTableState } from "./reports";
import { resetReason } from "./reset-policy";
import type { TSelectedTable } from "./selected-tables";
import { bookmarkForLog, stateForLog } from "./state-log";
import type { TTableRun, TTableRunResult } from "./table-run";
import { readTableShape } from "./table-shape";

export type TTableJob = {
  ctx: TJobContext;
  integration: TIntegration;
  /** Opens the source on a database (closed by the caller's table job when done). */
  openSource(database: string): Promise<TSource>;
  loader: TDestinationLoader;
  entry: { table: TSelectedTable; destinationTable: string };
  method: "full_table" | "key_based";
  plan: TTableMethod;
  collisions: Map<string, string[]>;
  integrationReset: Date | null;
  batchRows: number;
};

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The run of one table: its shape, a reset if one is due (said in `flags` as soon as decided), schema changes followed. */
async function prepareRun(job: TTableJob, source: TSource, report: TLoadReport, flags: { pendingReset: boolean }): Promise<{ run: TTableRun; copyAgain: boolean }> {
  const { ctx, integration, loader, entry, method } = job;
  const { db, log } = ctx;
  const { table } = entry;
  const shape = await readTableShape({ db, integrationId: integration.id, source, destination: loader, log, entry, method });
  let state = shape.state;
  const reason = resetReason({ table: shape.table, saved: shape.saved, method, integrationReset: job.integrationReset });
  if (reason) {
    // Both methods replace the table atomically: readers keep the old one until the new copy commits,
    // and a copy that fails leaves the old table, its state and the reset request as they were.
    log.info("main", `Resetting ${table.tableKey}: ${reason}; the table is copied again and replaces the destination table once the copy is complete`);
    flags.pendingReset = true;
    state = null;
  }
  const onStateCommitted = async (s: TMethodState) => {
    log.info("target", `State update: ${JSON.stringify({ [table.tableKey]: stateForLog(s) })}`);
    await mirrorTableState(db, integration.id, table.tableKey, s);
  };
  // Key-based: schema changes at the source are made at the destination, or the table is copied again.
  const recopy = shape.schema && (await applySourceSchema({ schema: shape.schema, spec: shape.spec, sourceColumns: shape.sourceColumns, loader, log, resetting: flags.pendingReset, onStateCommitted }));
  if (!job.plan.readsWholeTable && (!state || recopy)) await report.setEstimate(table.rowEstimate);
  const run: TTableRun = {
    table: shape.table,
    spec: shape.spec,
    sourceColumns: shape.sourceColumns,
    source,
    destination: loader,
    state,
    log,
    shouldStop: ctx.shouldStop,
    onProgress: report.progress,
    batchRows: job.batchRows,
    onStateCommitted,
  };
  return { run, copyAgain: flags.pendingReset || Boolean(recopy) };
}

/** One table: report row, reset if asked, the method, then the report's figures; errors stay with the table. */
export async function replicateTable(job: TTableJob): Promise<{ status: "succeeded" | "failed" | "stopped"; rows: number }> {
  const { ctx, integration, entry, method, plan } = job;
  const { db, run, log } = ctx;
  const { table, destinationTable } = entry;
  // Key-based reads the whole table only without a bookmark (first load, reset): its estimate is set then.
  const report = await openLoadReport(db, { jobRunId: run.id, integrationId: integration.id, tableKey: table.tableKey, destinationTable, method, rowsEstimated: plan.readsWholeTable ? table.rowEstimate : null });
  log.info("main", `Replicating ${table.tableKey} → ${integration.schemaName}.${destinationTable} (${plan.label})`);
  const flags = { pendingReset: false };
  try {
    const clash = job.collisions.get(table.tableKey);
    if (clash) {
      throw new Error(`Destination table name "${destinationTable}" is also the name of ${clash.join(", ")}; turn on "Include PostgreSQL schema names in destination tables" or track only one of them`);
    }
    const source = await job.openSource(table.database);
    let result: TTableRunResult;
    try {
      const prepared = await prepareRun(job, source, report, flags);
      result = await plan.run(prepared.run, prepared.copyAgain);
    } finally {
      await source.close().catch(() => undefined);
    }
    if (flags.pendingReset && table.resetRequestedAt) await acknowledgeTableReset(db, integration.id, table.tableKey, table.resetRequestedAt);
    const status = await report.finish(result);
    log.info(
      "main",
      `${table.tableKey}: ${status}; ${result.rowsReceived} row(s) read, ${result.rowsInserted} inserted, ${result.rowsUpdated} updated${result.maxBookmark ? `; bookmark ${bookmarkForLog(method, result.maxBookmark, table.selection.replicationKey)}` : ""}`,
    );
    return { status, rows: result.rowsReceived };
  } catch (err) {
    await report.settled();
    // The integration's reset request ends with this job: this table keeps its own, for the next one.
    if (flags.pendingReset && job.integrationReset) await requestTableReset(db, integration.id, table.tableKey, job.integrationReset).catch(() => undefined);
    const error = message(err);
    log.error("main", `${table.tableKey} failed: ${error}`);
    await report.fail(error);
    return { status: "failed", rows: 0 };
  }
}
