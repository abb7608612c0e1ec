import { and, eq } from "drizzle-orm";
import type { TDb } from "@/db/client";
import { destinations, integrations, jobRuns, type TIntegration } from "@/db/schema";
import { openPostgresSource } from "@/lib/connectors/postgres/source";
import { destinationConnectionFromRow } from "@/lib/destination/connection";
import { openLoader, type TDestinationLoader } from "@/lib/connectors/postgres/destination";
import { destinationTableName, findNameCollisions } from "@/lib/destination/naming";
import type { TJobContext, TJobOutcome } from "@/lib/jobs/worker";
import { jobSqlLog } from "@/lib/jobs/sql-log";
import { failedTablesOutcome } from "@/lib/reports/failed-tables";
import type { TSourceConnection } from "@/lib/source/connection";
import { loadSourceConnection } from "@/lib/source/integration-connection";
import { reportFailedLoad } from "./load-report";
import { runLogBasedTables } from "./log-based-tables";
import { getLogBasedRunner } from "./log-based-registry";
import { METHODS, tableMethod } from "./method-registry";
import { getSelectedTables, type TSelectedTable } from "./selected-tables";
import { replicateTable } from "./table-job";
import { warnAboutUnreadSlots } from "@/lib/connectors/postgres/source/unread-slots";

export type TExtractOptions = {
  /** Re-runs discovery before the job (new tables and columns); failures are logged and the last catalog is used. */
  discover?: (db: TDb, scope: { teamId: string; integrationId: string }) => Promise<unknown>;
  /** Rows per Key-based batch. */
  batchRows?: number;
};

type TEntry = { table: TSelectedTable; destinationTable: string };
type TTally = { failed: number; succeeded: number; rowsLoaded: number; stopped: boolean };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The integration and its team's destination; discovery re-run (its failure only logged); the selections captured on the run. */
async function loadJobInputs(ctx: TJobContext, opts: TExtractOptions) {
  const { db, run, log } = ctx;
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
  const selected = await getSelectedTables(db, integration.id);
  const only = ctx.onlyTables;
  if (only) {
    const tables = selected.tables.filter((t) => only.has(t.tableKey));
    log.info("main", `Catching up ${tables.length} table(s) of schema ${integration.schemaName}`);
    return { integration, destRow, tables, missing: [] };
  }
  const { tables, missing } = selected;
  const selectionSnapshot = tables.map((t) => ({ tableKey: t.tableKey, method: t.selection.method, columns: t.selection.columns, replicationKey: t.selection.replicationKey, viewKeyColumns: t.selection.viewKeyColumns }));
  await db.update(jobRuns).set({ selectionSnapshot }).where(eq(jobRuns.id, run.id));
  log.info("main", `Captured the finalized selections: ${tables.length} table(s) to replicate into schema ${integration.schemaName}`);
  return { integration, destRow, tables, missing };
}

type TReplicateAll = { ctx: TJobContext; integration: TIntegration; conn: TSourceConnection; loader: TDestinationLoader; entries: TEntry[]; integrationReset: Date | null; batchRows: number };

/** Every table through its method (METHODS): table methods one table at a time, engine methods handed their tables together after. */
async function replicateAll(input: TReplicateAll, tally: TTally): Promise<TEntry[]> {
  const { ctx, integration, conn, loader } = input;
  const collisions = findNameCollisions(input.entries.map((n) => ({ tableKey: n.table.tableKey, destinationTable: n.destinationTable })));
  const logBased = getLogBasedRunner();
  const engineTables: TEntry[] = [];
  const openSource = (database: string) => openPostgresSource({ conn, database, onSql: (sql) => ctx.log.info("tap", `Running: ${sql}`) });
  for (const entry of input.entries) {
    if (ctx.shouldStop()) {
      tally.stopped = true;
      break;
    }
    let method = entry.table.selection.method;
    const plan = METHODS[method];
    if (plan.kind === "engine") {
      if (logBased) {
        engineTables.push(entry);
        continue;
      }
      ctx.log.warn("main", `${entry.table.tableKey}: ${plan.label} is not available in this build; copying it with Full Table this time`);
      method = plan.fallback;
    }
    const chosen = tableMethod(method);
    if (!chosen) continue;
    const outcome = await replicateTable({ ctx, integration, openSource, loader, entry, method: chosen.name, plan: chosen.plan, collisions, integrationReset: input.integrationReset, batchRows: input.batchRows });
    tally.rowsLoaded += outcome.rows;
    if (outcome.status === "failed") tally.failed++;
    else tally.succeeded++;
    if (outcome.status === "stopped") {
      tally.stopped = true;
      break;
    }
  }
  if (logBased && engineTables.length > 0 && !tally.stopped) {
    const outcome = await runLogBasedTables({ ctx, integration, conn, loader, entries: engineTables, collisions, integrationReset: input.integrationReset });
    tally.rowsLoaded += outcome.rows;
    tally.failed += outcome.failed;
    tally.succeeded += outcome.succeeded;
  }
  return engineTables;
}

/**
 * The `extract` job: captures the finalized selections, re-runs discovery, then replicates every tracked
 * table with its method into the team's destination. A failing table is reported and the others go on.
 */
export async function runExtractJob(ctx: TJobContext, opts: TExtractOptions = {}): Promise<TJobOutcome> {
  const { db, run, log } = ctx;
  const jobStart = new Date();
  const { integration, destRow, tables, missing } = await loadJobInputs(ctx, opts);
  if (tables.length === 0 && missing.length === 0) {
    log.warn("main", "No tables are selected: track tables under Tables to Replicate and Finalize Your Selections");
    return { outcome: "succeeded", rowsLoaded: 0, message: "No tables selected" };
  }

  const conn = await loadSourceConnection(db, integration);
  const entries = tables.map((t) => ({ table: t, destinationTable: destinationTableName(t, integration.includeSchemaNames) }));
  const resetAsked = !ctx.onlyTables && integration.resetRequestedAt && integration.resetRequestedAt <= jobStart;
  const integrationReset = resetAsked ? integration.resetRequestedAt : null;
  const loader = await openLoader({ conn: destinationConnectionFromRow(destRow), schema: integration.schemaName, integrationId: integration.id, onSql: jobSqlLog((line) => log.info("target", line)) });
  const tally: TTally = { failed: 0, succeeded: 0, rowsLoaded: 0, stopped: false };
  try {
    await loader.prepare();
    for (const tableKey of missing) {
      tally.failed++;
      const error = "The table is selected but was not found by the last discovery (dropped or renamed at the source, or no longer readable)";
      log.error("main", `${tableKey}: ${error}`);
      await reportFailedLoad(db, { jobRunId: run.id, integrationId: integration.id, tableKey, destinationTable: "", method: "unknown", rowsEstimated: null }, error);
    }
    const engineTables = await replicateAll({ ctx, integration, conn, loader, entries, integrationReset, batchRows: opts.batchRows ?? 50_000 }, tally);
    if (!tally.stopped) {
      const logBasedDatabases = new Set(engineTables.map((e) => e.table.database));
      const databases = [...new Set([integration.database, ...tables.map((t) => t.database)])].filter((d) => !logBasedDatabases.has(d));
      await warnAboutUnreadSlots({ conn, databases, integrationSchema: integration.schemaName, log });
    }
    if (integrationReset && !tally.stopped) {
      await db.update(integrations).set({ resetRequestedAt: null }).where(and(eq(integrations.id, integration.id), eq(integrations.resetRequestedAt, integrationReset)));
    }
  } finally {
    await loader.close();
  }

  const { failed, succeeded, rowsLoaded } = tally;
  if (tally.stopped) return { outcome: "stopped", rowsLoaded, message: `${succeeded} table(s) done before the stop` };
  if (failed > 0) return failedTablesOutcome(db, run.id, { failed, succeeded, rowsLoaded });
  return { outcome: "succeeded", rowsLoaded, message: `${succeeded} table(s), ${rowsLoaded} row(s)` };
}
