import { and, eq } from "drizzle-orm";
import type { TDb } from "@/db/client";
import { destinations, integrations, jobRuns, type TIntegration } from "@/db/schema";
import { destinationConnectionFromRow } from "@/lib/destination/connection";
import { openLoader, type TDestinationLoader, type TReplicationState } from "@/lib/connectors/postgres/destination";
import { destinationTableName, findNameCollisions } from "@/lib/destination/naming";
import type { TJobContext, TJobOutcome } from "@/lib/jobs/worker";
import type { TSourceConnection } from "@/lib/source/connection";
import { loadSourceConnection } from "@/lib/source/integration-connection";
import { acknowledgeTableReset, requestTableReset } from "@/lib/selection/finalized";
import { runFullTable } from "./full-table";
import { reloadKeyBased, runKeyBased } from "./key-based";
import { getLogBasedRunner } from "./log-based-registry";
import { addRowUsage, finishTableLoad, mirrorTableState, setTableLoadEstimate, startTableLoad, tableLoadProgress } from "./reports";
import { getSelectedTables, type TSelectedTable } from "./selected-tables";
import { openSourceReader } from "./source-reader";
import { applySourceSchema } from "./key-based-schema";
import { readTableShape } from "./table-shape";
import { jobSqlLog } from "@/lib/jobs/sql-log";
import { failedTablesOutcome } from "@/lib/reports/failed-tables";
import type { TTableRunResult } from "./table-run";
import { warnAboutUnreadSlots } from "./unread-slots";
import { bookmarkForLog, stateForLog } from "./state-log";

export type TExtractOptions = {
  /** Re-runs discovery before the job (new tables and columns); failures are logged and the last catalog is used. */
  discover?: (db: TDb, scope: { teamId: string; integrationId: string }) => Promise<unknown>;
  /** Rows per Key-based batch. */
  batchRows?: number;
};

type TMethod = "full_table" | "key_based" | "log_based";

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A saved state made under another method or key cannot be continued: the table starts over. */
function stateMismatch(state: TReplicationState, method: TMethod, key: string[]): string | null {
  if (state.method !== method) return `its method changed from ${String(state.method)} to ${method}`;
  if (method === "key_based" && JSON.stringify(state.replicationKey) !== JSON.stringify(key)) return "its Replication Key changed";
  return null;
}

/**
 * The `extract` job: captures the finalized selections, re-runs discovery, then replicates every tracked
 * table with its method into the team's destination. A failing table is reported and the others go on.
 */
export async function runExtractJob(ctx: TJobContext, opts: TExtractOptions = {}): Promise<TJobOutcome> {
  const { db, run, log } = ctx;
  const jobStart = new Date();
  if (!run.integrationId) throw new Error("An extraction job needs an integration");
  const [integration] = await db.select().from(integrations).where(and(eq(integrations.id, run.integrationId), eq(integrations.teamId, run.teamId))).limit(1);
  if (!integration) throw new Error("The integration no longer exists");
  const [destRow] = await db.select().from(destinations).where(eq(destinations.teamId, run.teamId)).limit(1);
  if (!destRow) throw new Error("No destination is configured: set one on the Destination page, then run the job again");

  if (opts.discover) {
    try {
      log.info("main", "Discovering the source's tables and columns");
      await opts.discover(db, { teamId: integration.teamId, integrationId: integration.id });
    } catch (err) {
      log.warn("main", `Discovery failed; using the last discovered catalog: ${message(err)}`);
    }
  }

  const { tables, missing } = await getSelectedTables(db, integration.id);
  await db
    .update(jobRuns)
    .set({
      selectionSnapshot: tables.map((t) => ({ tableKey: t.tableKey, method: t.selection.method, columns: t.selection.columns, replicationKey: t.selection.replicationKey, viewKeyColumns: t.selection.viewKeyColumns })),
    })
    .where(eq(jobRuns.id, run.id));
  log.info("main", `Captured the finalized selections: ${tables.length} table(s) to replicate into schema ${integration.schemaName}`);
  if (tables.length === 0 && missing.length === 0) {
    log.warn("main", "No tables are selected: track tables under Tables to Replicate and Finalize Your Selections");
    return { outcome: "succeeded", rowsLoaded: 0, message: "No tables selected" };
  }

  const conn = await loadSourceConnection(db, integration);
  const names = tables.map((t) => ({ table: t, destinationTable: destinationTableName(t, integration.includeSchemaNames) }));
  const collisions = findNameCollisions(names.map((n) => ({ tableKey: n.table.tableKey, destinationTable: n.destinationTable })));
  const integrationReset = integration.resetRequestedAt && integration.resetRequestedAt <= jobStart ? integration.resetRequestedAt : null;
  const logBased = getLogBasedRunner();

  const loader = await openLoader({
    conn: destinationConnectionFromRow(destRow),
    schema: integration.schemaName,
    integrationId: integration.id,
    onSql: jobSqlLog((line) => log.info("target", line)),
  });
  let failed = 0;
  let succeeded = 0;
  let stopped = false;
  let rowsLoaded = 0;
  try {
    await loader.prepare();

    for (const tableKey of missing) {
      failed++;
      const id = await startTableLoad(db, { jobRunId: run.id, integrationId: integration.id, tableKey, destinationTable: "", method: "unknown", rowsEstimated: null });
      const error = "The table is selected but was not found by the last discovery (dropped or renamed at the source, or no longer readable)";
      log.error("main", `${tableKey}: ${error}`);
      await finishTableLoad(db, id, { status: "failed", result: { rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 0 }, maxBookmark: null, error });
    }

    const logBasedTables: typeof names = [];
    for (const entry of names) {
      if (ctx.shouldStop()) {
        stopped = true;
        break;
      }
      let method: TMethod = entry.table.selection.method;
      if (method === "log_based") {
        if (logBased) {
          logBasedTables.push(entry);
          continue;
        }
        log.warn("main", `${entry.table.tableKey}: Log-based Incremental is not available in this build; copying it with Full Table this time`);
        method = "full_table";
      }
      const outcome = await replicateTable({ ctx, integration, conn, loader, entry, method, collisions, integrationReset, batchRows: opts.batchRows ?? 50_000 });
      rowsLoaded += outcome.rows;
      if (outcome.status === "failed") failed++;
      else succeeded++;
      if (outcome.status === "stopped") {
        stopped = true;
        break;
      }
    }

    if (logBased && logBasedTables.length > 0 && !stopped) {
      const outcome = await runLogBasedTables({ ctx, integration, conn, loader, entries: logBasedTables, collisions, integrationReset });
      rowsLoaded += outcome.rows;
      failed += outcome.failed;
      succeeded += outcome.succeeded;
    }

    if (!stopped) {
      const logBasedDatabases = new Set(logBasedTables.map((e) => e.table.database));
      const databases = [...new Set([integration.database, ...tables.map((t) => t.database)])].filter((d) => !logBasedDatabases.has(d));
      await warnAboutUnreadSlots({ conn, databases, integrationSchema: integration.schemaName, log });
    }

    if (integrationReset && !stopped) {
      await db.update(integrations).set({ resetRequestedAt: null }).where(and(eq(integrations.id, integration.id), eq(integrations.resetRequestedAt, integrationReset)));
    }
  } finally {
    await loader.close();
  }

  if (stopped) return { outcome: "stopped", rowsLoaded, message: `${succeeded} table(s) done before the stop` };
  if (failed > 0) return failedTablesOutcome(db, run.id, { failed, succeeded, rowsLoaded });
  return { outcome: "succeeded", rowsLoaded, message: `${succeeded} table(s), ${rowsLoaded} row(s)` };
}

type TReplicateInput = {
  ctx: TJobContext;
  integration: TIntegration;
  conn: TSourceConnection;
  loader: TDestinationLoader;
  entry: { table: TSelectedTable; destinationTable: string };
  method: "full_table" | "key_based";
  collisions: Map<string, string[]>;
  integrationReset: Date | null;
  batchRows: number;
};

/** One table: report row, reset if asked, the method, then the report's figures; errors stay with the table. */
async function replicateTable(input: TReplicateInput): Promise<{ status: "succeeded" | "failed" | "stopped"; rows: number }> {
  const { ctx, integration, conn, loader, entry, method } = input;
  const { db, run, log } = ctx;
  const { table, destinationTable } = entry;
  // Key-based reads the whole table only without a bookmark (first load, reset): its estimate is set then.
  const loadId = await startTableLoad(db, { jobRunId: run.id, integrationId: integration.id, tableKey: table.tableKey, destinationTable, method, rowsEstimated: method === "full_table" ? table.rowEstimate : null });
  const progress = tableLoadProgress(db, loadId);
  const onProgress = progress.report;
  log.info("main", `Replicating ${table.tableKey} → ${integration.schemaName}.${destinationTable} (${method === "full_table" ? "Full Table" : "Key-based Incremental"})`);
  let result: TTableRunResult | null = null;
  let pendingReset = false;
  try {
    const clash = input.collisions.get(table.tableKey);
    if (clash) {
      throw new Error(`Destination table name "${destinationTable}" is also the name of ${clash.join(", ")}; turn on "Include PostgreSQL schema names in destination tables" or track only one of them`);
    }
    const source = await openSourceReader(conn, table.database);
    try {
      const shape = await readTableShape({ db, integrationId: integration.id, source: source.client, loader, log, entry, method });
      const { sourceColumns, spec } = shape;

      let state = shape.state;
      const mismatch = state ? stateMismatch(state, method, shape.table.selection.replicationKey) : null;
      const resetReason = table.resetRequestedAt ? "a reset was requested" : input.integrationReset ? "the integration was reset" : mismatch;
      if (resetReason && (state || table.resetRequestedAt || input.integrationReset)) {
        // Both methods replace the table atomically: readers keep the old one until the new copy commits,
        // and a copy that fails leaves the old table, its state and the reset request as they were.
        log.info("main", `Resetting ${table.tableKey}: ${resetReason}; the table is copied again and replaces the destination table once the copy is complete`);
        pendingReset = true;
        state = null;
      }

      const onStateCommitted = async (s: TReplicationState) => {
        log.info("target", `State update: ${JSON.stringify({ [table.tableKey]: stateForLog(s) })}`);
        await mirrorTableState(db, integration.id, table.tableKey, s);
      };
      // Key-based: schema changes at the source are made at the destination, or the table is copied again.
      const recopy = shape.schema && (await applySourceSchema({ schema: shape.schema, spec, sourceColumns, loader, log, resetting: pendingReset, onStateCommitted }));
      if (method === "key_based" && (!state || recopy)) await setTableLoadEstimate(db, loadId, table.rowEstimate);
      const tableRun = {
        table: shape.table,
        spec,
        sourceColumns,
        source: source.client,
        loader,
        state,
        log,
        shouldStop: ctx.shouldStop,
        onProgress,
        batchRows: input.batchRows,
        onStateCommitted,
      };
      result = method === "full_table" ? await runFullTable(tableRun) : pendingReset || recopy ? await reloadKeyBased(tableRun) : await runKeyBased(tableRun);
    } finally {
      await source.close().catch(() => undefined);
    }
    if (pendingReset && table.resetRequestedAt) await acknowledgeTableReset(db, integration.id, table.tableKey, table.resetRequestedAt);
    await progress.settled();
    const status = result.stopped ? "stopped" : "succeeded";
    await finishTableLoad(db, loadId, { status, result, maxBookmark: result.maxBookmark });
    await addRowUsage(db, integration.id, result.rowsReceived);
    log.info(
      "main",
      `${table.tableKey}: ${status}; ${result.rowsReceived} row(s) read, ${result.rowsInserted} inserted, ${result.rowsUpdated} updated${result.maxBookmark ? `; bookmark ${bookmarkForLog(method, result.maxBookmark, table.selection.replicationKey)}` : ""}`,
    );
    return { status, rows: result.rowsReceived };
  } catch (err) {
    await progress.settled();
    // The integration's reset request ends with this job: this table keeps its own, for the next one.
    if (pendingReset && input.integrationReset) await requestTableReset(db, integration.id, table.tableKey, input.integrationReset).catch(() => undefined);
    const error = message(err);
    log.error("main", `${table.tableKey} failed: ${error}`);
    await finishTableLoad(db, loadId, { status: "failed", result: { rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 0 }, maxBookmark: null, error });
    return { status: "failed", rows: 0 };
  }
}

/** Hands the log-based tables to the registered engine with reporting hooks. */
async function runLogBasedTables(input: {
  ctx: TJobContext;
  integration: TIntegration;
  conn: TSourceConnection;
  loader: TDestinationLoader;
  entries: { table: TSelectedTable; destinationTable: string }[];
  collisions: Map<string, string[]>;
  integrationReset: Date | null;
}): Promise<{ rows: number; failed: number; succeeded: number }> {
  const { ctx, integration } = input;
  const { db, run, log } = ctx;
  const runner = getLogBasedRunner();
  if (!runner) return { rows: 0, failed: 0, succeeded: 0 };
  const loadIds = new Map<string, string>();
  const progress = new Map<string, ReturnType<typeof tableLoadProgress>>();
  const entries = input.entries.filter((e) => !input.collisions.has(e.table.tableKey));
  let failed = input.entries.length - entries.length;
  for (const e of input.entries.filter((x) => input.collisions.has(x.table.tableKey))) {
    const id = await startTableLoad(db, { jobRunId: run.id, integrationId: integration.id, tableKey: e.table.tableKey, destinationTable: e.destinationTable, method: "log_based", rowsEstimated: e.table.rowEstimate });
    await finishTableLoad(db, id, { status: "failed", result: { rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 0 }, maxBookmark: null, error: `Destination table name "${e.destinationTable}" collides with ${input.collisions.get(e.table.tableKey)?.join(", ")}` });
  }
  const byKey = new Map(entries.map((e) => [e.table.tableKey, e]));
  const results = await runner({
    ctx,
    integration,
    conn: input.conn,
    loader: input.loader,
    tables: entries,
    integrationReset: input.integrationReset,
    report: {
      async start(tableKey, copy) {
        const e = byKey.get(tableKey);
        if (!e || loadIds.has(tableKey)) return;
        // Changes have no total to count towards: the table's size is no goal for them.
        const id = await startTableLoad(db, { jobRunId: run.id, integrationId: integration.id, tableKey, destinationTable: e.destinationTable, method: "log_based", rowsEstimated: copy ? e.table.rowEstimate : null });
        loadIds.set(tableKey, id);
        progress.set(tableKey, tableLoadProgress(db, id));
      },
      progress(tableKey, rowsDone) {
        progress.get(tableKey)?.report(rowsDone);
      },
      async stateCommitted(tableKey, state) {
        log.info("target", `State update: ${JSON.stringify({ [tableKey]: stateForLog(state) })}`);
        await mirrorTableState(db, integration.id, tableKey, state);
      },
    },
  });
  let rows = 0;
  let succeeded = 0;
  for (const e of entries) {
    const key = e.table.tableKey;
    if (!loadIds.has(key)) loadIds.set(key, await startTableLoad(db, { jobRunId: run.id, integrationId: integration.id, tableKey: key, destinationTable: e.destinationTable, method: "log_based", rowsEstimated: e.table.rowEstimate }));
    const r = results.get(key) ?? { error: "The log-based engine returned no result for this table" };
    const id = loadIds.get(key)!;
    await progress.get(key)?.settled();
    if ("error" in r) {
      failed++;
      log.error("main", `${key} failed: ${r.error}`);
      await finishTableLoad(db, id, { status: "failed", result: { rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 0 }, maxBookmark: null, error: r.error });
    } else {
      succeeded++;
      rows += r.rowsReceived;
      await finishTableLoad(db, id, { status: r.stopped ? "stopped" : "succeeded", result: r, maxBookmark: r.maxBookmark });
      await addRowUsage(db, integration.id, r.rowsReceived);
    }
  }
  return { rows, failed, succeeded };
}
