import type { TKeySpan } from "@/lib/connectors/contracts";
import { keyBasedShapeFields } from "./key-based-schema";
import type { TKeyBasedState } from "./method-state";
import { addResults, NO_ROWS, sourceTableOf, transferRows, type TTableRun, type TTableRunResult } from "./table-run";

// Kept where the security test imports it; the statement shapes are made by the source.
export { statementShape } from "@/lib/connectors/postgres/source/copy-sql";

function replicationKeyOf(run: Pick<TTableRun, "table">): string[] {
  const key = run.table.selection.replicationKey;
  if (key.length === 0) throw new Error("Key-based Incremental needs a Replication Key: choose one in Table Settings");
  return key;
}

const bookmarkText = (state: TKeyBasedState) => state.bookmark?.join(", ") ?? null;

/**
 * Key-based Incremental: `WHERE key >= bookmark ORDER BY key`, in batches bounded by key values so equal
 * keys never straddle two batches. Each batch's rows and its bookmark commit in one destination transaction;
 * a stop or crash resumes from the last committed bookmark (the `>=` re-reads its rows; the merge is idempotent).
 */
export async function runKeyBased(run: TTableRun): Promise<TTableRunResult> {
  const key = replicationKeyOf(run);
  const table = sourceTableOf(run.table);
  const saved = run.state?.method === "key_based" ? run.state : null;
  // Saved with every batch: the next run compares the source's columns and oid with these.
  const shape = await keyBasedShapeFields(run);
  let state: TKeyBasedState = { ...(saved ?? { method: "key_based", replicationKey: key, bookmark: null, nullsDone: false, tableVersion: Date.now() }), ...shape };
  let total = NO_ROWS;
  const progress = (n: number) => run.onProgress(total.rowsReceived + n);

  const load = async (range: Parameters<typeof transferRows>[3], next: TKeyBasedState) => {
    const res = await transferRows(run, "upsert", { state: next, tableVersion: next.tableVersion, meta: { extractedAt: new Date().toISOString() }, onProgress: progress }, range);
    total = addResults(total, res);
    state = next;
    run.onProgress(total.rowsReceived);
    await run.onStateCommitted(state);
  };

  if (!state.nullsDone && state.bookmark === null) {
    await load({ columns: key, nulls: true }, { ...state, nullsDone: true });
  }
  let span: TKeySpan = { columns: key, after: state.bookmark, inclusive: true };
  for (;;) {
    if (run.shouldStop()) return { ...total, maxBookmark: bookmarkText(state), stopped: true };
    let hi = await run.source.findKey(table, span, { rows: run.batchRows });
    let last = false;
    if (!hi) {
      hi = await run.source.findKey(table, span, "last");
      last = true;
      if (!hi) break;
    }
    await load({ ...span, through: hi }, { ...state, nullsDone: true, bookmark: hi });
    if (last) break;
    span = { columns: key, after: hi, inclusive: false };
  }
  return { ...total, maxBookmark: bookmarkText(state), stopped: false };
}

/**
 * A reset of a Key-based table (Reset Keys, a reset integration, a changed Replication Key or method): the
 * whole table, copied into a new destination table that replaces the old one atomically with its state, as
 * Full Table does. Readers keep the old rows until then, never a half-loaded table; a failed or stopped
 * copy leaves the old table and its bookmark as they were. The new bookmark is the highest key in the
 * same snapshot as the copy.
 */
export async function reloadKeyBased(run: TTableRun): Promise<TTableRunResult> {
  const key = replicationKeyOf(run);
  const tableVersion = Date.now();
  const { result, state } = await run.source.inSnapshot(async () => {
    const hi = await run.source.findKey(sourceTableOf(run.table), { columns: key, after: null, inclusive: true }, "last");
    const shape = await keyBasedShapeFields(run);
    const state: TKeyBasedState = { method: "key_based", replicationKey: key, bookmark: hi, nullsDone: true, tableVersion, ...shape };
    const result = await transferRows(run, "replace", { state, tableVersion, meta: { extractedAt: new Date().toISOString() }, onProgress: run.onProgress });
    return { result, state };
  });
  await run.onStateCommitted(state);
  return { ...result, maxBookmark: bookmarkText(state), stopped: false };
}
