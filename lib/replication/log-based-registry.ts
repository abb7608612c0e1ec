import type { TDestinationLoader } from "@/lib/connectors/postgres/destination";
import type { TJobContext } from "@/lib/jobs/worker";
import type { TIntegration } from "@/db/schema";
import type { TSourceConnection } from "@/lib/source/connection";
import type { TSelectedTable } from "./selected-tables";
import type { TTableRunResult } from "./table-run";

/** What the extract job hands the log-based engine for the integration's log-based tables. */
export type TLogBasedInput = {
  ctx: TJobContext;
  integration: TIntegration;
  conn: TSourceConnection;
  loader: TDestinationLoader;
  tables: { table: TSelectedTable; destinationTable: string }[];
  /** When the integration's reset was asked for, if before this job started (it resets every table). */
  integrationReset: Date | null;
  /** Per-table reporting hooks (loading report row + progress + State update line + mirror). */
  report: {
    /** `copy`: the table is copied whole (its row estimate is the goal); else only its changes are read. */
    start(tableKey: string, copy: boolean): Promise<void>;
    progress(tableKey: string, rowsDone: number): void;
    stateCommitted(tableKey: string, state: Record<string, unknown>): Promise<void>;
  };
};

/** Result per table key; a table missing from the map is reported as failed. */
export type TLogBasedRunner = (input: TLogBasedInput) => Promise<Map<string, TTableRunResult | { error: string }>>;

let runner: TLogBasedRunner | null = null;

/**
 * The log-based engine registers itself here (from workers/handlers.ts). Until one is registered, the
 * extract job copies log-based tables with Full Table and says so in the log.
 */
export function registerLogBasedRunner(r: TLogBasedRunner | null): void {
  runner = r;
}

export function getLogBasedRunner(): TLogBasedRunner | null {
  return runner;
}
