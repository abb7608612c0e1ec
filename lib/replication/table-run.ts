import type pg from "pg";
import type { TDestinationLoader, TLoadResult, TLoadTableSpec, TReplicationState } from "@/lib/connectors/postgres/destination";
import type { TJobLogger } from "@/lib/jobs/log";
import type { TSelectedTable } from "./selected-tables";
import type { TSourceColumn } from "./source-columns";

/** Everything one table's replication needs; built by the job for each table. */
export type TTableRun = {
  table: TSelectedTable;
  spec: TLoadTableSpec;
  /** All live source columns (types for bookmark casts), selected or not. */
  sourceColumns: TSourceColumn[];
  /** The source client, connected to the table's database with the text session settings. */
  source: pg.Client;
  loader: TDestinationLoader;
  /** The state saved at the destination, null on a first run or after a reset. */
  state: TReplicationState | null;
  log: TJobLogger;
  shouldStop(): boolean;
  onProgress(rowsDone: number): void;
  /** Called after each committed state (to mirror it and log `State update: …`). */
  onStateCommitted(state: TReplicationState): Promise<void>;
  /** Rows per Key-based batch. */
  batchRows: number;
};

export type TTableRunResult = TLoadResult & {
  /** The highest bookmark committed, as text; null = "Bookmark Unavailable". */
  maxBookmark: string | null;
  stopped: boolean;
};

export function addResults(a: TLoadResult, b: TLoadResult): TLoadResult {
  return {
    rowsInserted: a.rowsInserted + b.rowsInserted,
    rowsUpdated: a.rowsUpdated + b.rowsUpdated,
    rowsDeleted: a.rowsDeleted + b.rowsDeleted,
    rowsReceived: a.rowsReceived + b.rowsReceived,
  };
}
