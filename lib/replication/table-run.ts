import { offersCopyText, offersCopyTextTable, type TDestination, type TKeyRange, type TSource, type TSourceTable } from "@/lib/connectors/contracts";
import type { TLoadOptions, TLoadResult, TLoadTableSpec, TSourceColumn } from "@/lib/connectors/types";
import type { TJobLogger } from "@/lib/jobs/log";
import type { TMethodState } from "./method-state";
import type { TSelectedTable } from "./selected-tables";

/** Everything one table's replication needs; built by the job for each table. */
export type TTableRun = {
  table: TSelectedTable;
  spec: TLoadTableSpec;
  /** All live source columns (types for bookmark casts), selected or not. */
  sourceColumns: TSourceColumn[];
  /** The source, on the table's database. */
  source: TSource;
  destination: TDestination;
  /** The state saved at the destination, null on a first run or after a reset. */
  state: TMethodState | null;
  log: TJobLogger;
  shouldStop(): boolean;
  onProgress(rowsDone: number): void;
  /** Called after each committed state (to mirror it and log `State update: …`). */
  onStateCommitted(state: TMethodState): Promise<void>;
  /** Rows per Key-based batch. */
  batchRows: number;
};

export type TTableRunResult = TLoadResult & {
  /** The highest bookmark committed, as text; null = "Bookmark Unavailable". */
  maxBookmark: string | null;
  stopped: boolean;
};

/** No rows: a failed load's figures, and where a sum of loads starts. */
export const NO_ROWS: TLoadResult = Object.freeze({ rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 0 });

export function addResults(a: TLoadResult, b: TLoadResult): TLoadResult {
  return {
    rowsInserted: a.rowsInserted + b.rowsInserted,
    rowsUpdated: a.rowsUpdated + b.rowsUpdated,
    rowsDeleted: a.rowsDeleted + b.rowsDeleted,
    rowsReceived: a.rowsReceived + b.rowsReceived,
  };
}

export function sourceTableOf(table: TSelectedTable): TSourceTable {
  return { schema: table.schema, name: table.name, kind: table.kind };
}

/**
 * Rows from the source into the destination: replacing the table atomically, or upserted by the key.
 * The COPY text fast path when both ends offer it (bytes passed through, as fast as the raw COPY pipe),
 * else rows as text through the neutral contract. Same guarantees either way.
 */
export async function transferRows(run: Pick<TTableRun, "table" | "spec" | "source" | "destination">, how: "replace" | "upsert", opts: TLoadOptions, range?: TKeyRange): Promise<TLoadResult> {
  const { source, destination, spec } = run;
  const table = sourceTableOf(run.table);
  if (offersCopyText(destination) && offersCopyTextTable(source)) {
    const copy = await source.copyTable(table, spec, range);
    return how === "replace" ? destination.replaceTable(spec, copy, opts) : destination.loadBatch(spec, copy, opts);
  }
  const rows = source.readTable(table, spec, { range });
  return how === "replace" ? destination.replaceTableRows(spec, rows, opts) : destination.upsertRows(spec, rows, opts);
}
