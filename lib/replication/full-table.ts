import { transferRows, type TTableRun, type TTableRunResult } from "./table-run";
import type { TFullTableState } from "./method-state";

/**
 * Full Table: every selected column of every row, streamed from the source into a new destination table
 * that replaces the old one atomically (new _sdc_table_version) together with the state.
 */
export async function runFullTable(run: TTableRun): Promise<TTableRunResult> {
  const tableVersion = Date.now();
  const extractedAt = new Date().toISOString();
  const state: TFullTableState = { method: "full_table", tableVersion, lastCompletedAt: extractedAt };
  const result = await transferRows(run, "replace", { state, tableVersion, meta: { extractedAt }, onProgress: run.onProgress });
  await run.onStateCommitted(state);
  return { ...result, maxBookmark: null, stopped: false };
}
