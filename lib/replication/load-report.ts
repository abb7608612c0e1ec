import type { TDbOrTx } from "@/db/client";
import { addRowUsage, finishTableLoad, setTableLoadEstimate, startTableLoad, tableLoadProgress } from "./reports";
import { NO_ROWS, type TTableRunResult } from "./table-run";

export type TLoadReportRow = { jobRunId: string; integrationId: string; tableKey: string; destinationTable: string; method: string; rowsEstimated: number | null };

/**
 * One table's row in the job's Loading Report, from start to outcome: live progress, then the final
 * figures (waiting for a progress write still in flight, which would put an older count back), and the
 * rows added to the integration's usage. The one place a load's outcome is written.
 */
export type TLoadReport = {
  progress(rowsDone: number): void;
  setEstimate(rows: number | null): Promise<void>;
  settled(): Promise<void>;
  /** Succeeded, or stopped when the result says so; returns which. */
  finish(result: TTableRunResult): Promise<"succeeded" | "stopped">;
  fail(error: string): Promise<void>;
};

export async function openLoadReport(db: TDbOrTx, row: TLoadReportRow): Promise<TLoadReport> {
  const id = await startTableLoad(db, row);
  const live = tableLoadProgress(db, id);
  return {
    progress: (rowsDone) => live.report(rowsDone),
    setEstimate: (rows) => setTableLoadEstimate(db, id, rows),
    settled: () => live.settled(),
    async finish(result) {
      await live.settled();
      const status = result.stopped ? "stopped" : "succeeded";
      await finishTableLoad(db, id, { status, result, maxBookmark: result.maxBookmark });
      await addRowUsage(db, row.integrationId, result.rowsReceived);
      return status;
    },
    async fail(error) {
      await live.settled();
      // No figures: what a failed load wrote before failing is told by its state, not the report.
      await finishTableLoad(db, id, { status: "failed", result: NO_ROWS, maxBookmark: null, error });
    },
  };
}

/** A table that fails before it starts (not found, a name collision): its report row, failed at once. */
export async function reportFailedLoad(db: TDbOrTx, row: TLoadReportRow, error: string): Promise<void> {
  await (await openLoadReport(db, row)).fail(error);
}
