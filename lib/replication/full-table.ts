import type { TReplicationState } from "@/lib/connectors/postgres/destination";
import { quoteIdent } from "@/lib/naming/identifiers";
import { copyOut, relationSql } from "./source-reader";
import type { TTableRun, TTableRunResult } from "./table-run";

export type TFullTableState = { method: "full_table"; tableVersion: number; lastCompletedAt: string };

/**
 * The source query: plain tables copy directly; views, materialized views, partitioned tables and tables
 * with a generated column among those read (COPY cannot name one) through a SELECT.
 */
export function fullTableCopySql(run: Pick<TTableRun, "table" | "spec"> & { sourceColumns?: Pick<TTableRun["sourceColumns"][number], "name" | "generated">[] }): string {
  const cols = run.spec.columns.map((c) => quoteIdent(c.name)).join(", ");
  const rel = relationSql(run.table.schema, run.table.name);
  const generated = new Set((run.sourceColumns ?? []).filter((c) => c.generated).map((c) => c.name));
  const direct = run.table.kind === "table" && !run.spec.columns.some((c) => generated.has(c.name));
  return direct ? `COPY ${rel} (${cols}) TO STDOUT` : `COPY (SELECT ${cols} FROM ${rel}) TO STDOUT`;
}

/**
 * Full Table: every selected column of every row, streamed from the source's COPY into a new destination
 * table that replaces the old one atomically (new _sdc_table_version) together with the state.
 */
export async function runFullTable(run: TTableRun): Promise<TTableRunResult> {
  const tableVersion = Date.now();
  const extractedAt = new Date().toISOString();
  const sql = fullTableCopySql(run);
  run.log.info("tap", `Running: ${sql}`);
  const state: TFullTableState = { method: "full_table", tableVersion, lastCompletedAt: extractedAt };
  const result = await run.loader.replaceTable(run.spec, () => copyOut(run.source, sql), {
    state: state as unknown as TReplicationState,
    tableVersion,
    meta: { extractedAt },
    onProgress: run.onProgress,
  });
  await run.onStateCommitted(state as unknown as TReplicationState);
  return { ...result, maxBookmark: null, stopped: false };
}
