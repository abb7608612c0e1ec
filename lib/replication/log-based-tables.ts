import type { TIntegration } from "@/db/schema";
import type { TDestinationLoader } from "@/lib/connectors/postgres/destination";
import type { TJobContext } from "@/lib/jobs/worker";
import type { TSourceConnection } from "@/lib/source/connection";
import { openLoadReport, reportFailedLoad, type TLoadReport } from "./load-report";
import { getLogBasedRunner } from "./log-based-registry";
import { parseMethodState } from "./method-state";
import { mirrorTableState } from "./reports";
import type { TSelectedTable } from "./selected-tables";
import { stateForLog } from "./state-log";

type TEntry = { table: TSelectedTable; destinationTable: string };

export type TLogBasedTablesInput = {
  ctx: TJobContext;
  integration: TIntegration;
  conn: TSourceConnection;
  loader: TDestinationLoader;
  entries: TEntry[];
  collisions: Map<string, string[]>;
  integrationReset: Date | null;
};

/** Hands the log-based tables to the registered engine with reporting hooks. */
export async function runLogBasedTables(input: TLogBasedTablesInput): Promise<{ rows: number; failed: number; succeeded: number }> {
  const { ctx, integration } = input;
  const { db, run, log } = ctx;
  const runner = getLogBasedRunner();
  if (!runner) return { rows: 0, failed: 0, succeeded: 0 };
  const row = (e: TEntry, rowsEstimated: number | null) => ({ jobRunId: run.id, integrationId: integration.id, tableKey: e.table.tableKey, destinationTable: e.destinationTable, method: "log_based", rowsEstimated });
  const reports = new Map<string, TLoadReport>();
  const entries = input.entries.filter((e) => !input.collisions.has(e.table.tableKey));
  let failed = input.entries.length - entries.length;
  for (const e of input.entries.filter((x) => input.collisions.has(x.table.tableKey))) {
    await reportFailedLoad(db, row(e, e.table.rowEstimate), `Destination table name "${e.destinationTable}" collides with ${input.collisions.get(e.table.tableKey)?.join(", ")}`);
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
        if (!e || reports.has(tableKey)) return;
        // Changes have no total to count towards: the table's size is no goal for them.
        reports.set(tableKey, await openLoadReport(db, row(e, copy ? e.table.rowEstimate : null)));
      },
      progress(tableKey, rowsDone) {
        reports.get(tableKey)?.progress(rowsDone);
      },
      async stateCommitted(tableKey, raw) {
        const state = parseMethodState(raw);
        if (!state) throw new Error(`The log-based engine committed a state of no known shape for ${tableKey}`);
        // Logged as the engine made it (key order included); mirrored as parsed (jsonb keeps no key order).
        log.info("target", `State update: ${JSON.stringify({ [tableKey]: stateForLog(raw) })}`);
        await mirrorTableState(db, integration.id, tableKey, state);
      },
    },
  });
  let rows = 0;
  let succeeded = 0;
  for (const e of entries) {
    const key = e.table.tableKey;
    const report = reports.get(key) ?? (await openLoadReport(db, row(e, e.table.rowEstimate)));
    const r = results.get(key) ?? { error: "The log-based engine returned no result for this table" };
    if ("error" in r) {
      failed++;
      await report.settled();
      log.error("main", `${key} failed: ${r.error}`);
      await report.fail(r.error);
    } else {
      succeeded++;
      rows += r.rowsReceived;
      await report.finish(r);
    }
  }
  return { rows, failed, succeeded };
}
