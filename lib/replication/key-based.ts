import { z } from "zod";
import type { TReplicationState } from "@/lib/connectors/postgres/destination";
import { quoteIdent, quoteLiteral } from "@/lib/naming/identifiers";
import { copyOut, relationSql } from "./source-reader";
import { addResults, type TTableRun, type TTableRunResult } from "./table-run";
import { fullTableCopySql } from "./full-table";
import { keyBasedShapeFields, ZKeyBasedShapeFields } from "./key-based-schema";

export const ZKeyBasedStateSchema = z.object({
  method: z.literal("key_based"),
  replicationKey: z.array(z.string()).min(1),
  /** The key value(s) of the last committed batch, as source text; null before the first. */
  bookmark: z.array(z.string()).nullable(),
  /** Rows whose key is NULL are copied once, on the first run. */
  nullsDone: z.boolean(),
  tableVersion: z.number(),
  ...ZKeyBasedShapeFields,
});
export type TKeyBasedState = z.infer<typeof ZKeyBasedStateSchema>;

function replicationKeyOf(run: Pick<TTableRun, "table">): string[] {
  const key = run.table.selection.replicationKey;
  if (key.length === 0) throw new Error("Key-based Incremental needs a Replication Key: choose one in Table Settings");
  return key;
}

/** Builds the key-based queries for one table; values are inlined as literals cast to the key's source type. */
export function keyBasedQueries(run: Pick<TTableRun, "table" | "spec" | "sourceColumns">, key: string[]) {
  const rel = relationSql(run.table.schema, run.table.name);
  const cols = run.spec.columns.map((c) => quoteIdent(c.name)).join(", ");
  const typeOf = (k: string) => {
    const t = run.sourceColumns.find((c) => c.name === k)?.sourceType;
    if (!t) throw new Error(`Replication key column ${k} no longer exists at the source`);
    return t;
  };
  const keyList = key.map(quoteIdent).join(", ");
  const notNull = key.map((k) => `${quoteIdent(k)} IS NOT NULL`).join(" AND ");
  const isNull = key.map((k) => `${quoteIdent(k)} IS NULL`).join(" OR ");
  const tuple = (values: string[]) => values.map((v, i) => `${quoteLiteral(v)}::${typeOf(key[i]!)}`).join(", ");
  const lower = (lo: string[] | null, inclusive: boolean) => (lo ? ` AND (${keyList}) ${inclusive ? ">=" : ">"} (${tuple(lo)})` : "");
  return {
    nulls: `COPY (SELECT ${cols} FROM ${rel} WHERE ${isNull}) TO STDOUT`,
    /** The key of the batchRows-th row from `lo`: the batch's upper bound (all rows with that key go in the batch). */
    upperBound: (lo: string[] | null, inclusive: boolean, batchRows: number) =>
      `SELECT ${keyList} FROM ${rel} WHERE ${notNull}${lower(lo, inclusive)} ORDER BY ${keyList} OFFSET ${batchRows - 1} LIMIT 1`,
    max: (lo: string[] | null, inclusive: boolean) => `SELECT ${keyList} FROM ${rel} WHERE ${notNull}${lower(lo, inclusive)} ORDER BY ${key.map((k) => `${quoteIdent(k)} DESC`).join(", ")} LIMIT 1`,
    batch: (lo: string[] | null, inclusive: boolean, hi: string[]) =>
      `COPY (SELECT ${cols} FROM ${rel} WHERE ${notNull}${lower(lo, inclusive)} AND (${keyList}) <= (${tuple(hi)}) ORDER BY ${keyList}) TO STDOUT`,
  };
}

/**
 * A statement as the job log shows it: its shape, each value a numbered placeholder. Job logs are read
 * by every role, and bookmark values are source data. Quoted identifiers are skipped whole, so a quote
 * inside a table or column name cannot shift which part is treated as a value.
 */
export function statementShape(sql: string): string {
  let n = 0;
  return sql.replace(/"(?:[^"]|"")*"|'(?:[^']|'')*'/g, (m) => (m.startsWith('"') ? m : `$${++n}`));
}

/**
 * Key-based Incremental: `WHERE key >= bookmark ORDER BY key`, in batches bounded by key values so equal
 * keys never straddle two batches. Each batch's rows and its bookmark commit in one destination transaction;
 * a stop or crash resumes from the last committed bookmark (the `>=` re-reads its rows; the merge is idempotent).
 */
export async function runKeyBased(run: TTableRun): Promise<TTableRunResult> {
  const key = replicationKeyOf(run);
  const parsed = ZKeyBasedStateSchema.safeParse(run.state);
  // Saved with every batch: the next run compares the source's columns and oid with these.
  const shape = await keyBasedShapeFields(run);
  let state: TKeyBasedState = { ...(parsed.success ? parsed.data : { method: "key_based", replicationKey: key, bookmark: null, nullsDone: false, tableVersion: Date.now() }), ...shape };
  const q = keyBasedQueries(run, key);
  let total = { rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 0 };
  const progress = (n: number) => run.onProgress(total.rowsReceived + n);

  const load = async (sql: string, next: TKeyBasedState) => {
    run.log.info("tap", `Running: ${statementShape(sql)}`);
    const res = await run.loader.loadBatch(run.spec, () => copyOut(run.source, sql), {
      state: next as unknown as TReplicationState,
      tableVersion: next.tableVersion,
      meta: { extractedAt: new Date().toISOString() },
      onProgress: progress,
    });
    total = addResults(total, res);
    state = next;
    run.onProgress(total.rowsReceived);
    await run.onStateCommitted(state as unknown as TReplicationState);
  };

  if (!state.nullsDone && state.bookmark === null) {
    await load(q.nulls, { ...state, nullsDone: true });
  }
  let lo = state.bookmark;
  let inclusive = true;
  for (;;) {
    if (run.shouldStop()) return { ...total, maxBookmark: state.bookmark?.join(", ") ?? null, stopped: true };
    const boundSql = q.upperBound(lo, inclusive, run.batchRows);
    run.log.info("tap", `Running: ${statementShape(boundSql)}`);
    let hi = (await run.source.query<string[]>({ text: boundSql, rowMode: "array" })).rows[0] ?? null;
    let last = false;
    if (!hi) {
      const maxSql = q.max(lo, inclusive);
      run.log.info("tap", `Running: ${statementShape(maxSql)}`);
      hi = (await run.source.query<string[]>({ text: maxSql, rowMode: "array" })).rows[0] ?? null;
      last = true;
      if (!hi) break;
    }
    await load(q.batch(lo, inclusive, hi), { ...state, nullsDone: true, bookmark: hi.map(String) });
    if (last) break;
    lo = hi.map(String);
    inclusive = false;
  }
  return { ...total, maxBookmark: state.bookmark?.join(", ") ?? null, stopped: false };
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
  const q = keyBasedQueries(run, key);
  const tableVersion = Date.now();
  await run.source.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const maxSql = q.max(null, true);
    run.log.info("tap", `Running: ${statementShape(maxSql)}`);
    const hi = (await run.source.query<string[]>({ text: maxSql, rowMode: "array" })).rows[0] ?? null;
    const shape = await keyBasedShapeFields(run);
    const state: TKeyBasedState = { method: "key_based", replicationKey: key, bookmark: hi ? hi.map(String) : null, nullsDone: true, tableVersion, ...shape };
    const sql = fullTableCopySql(run);
    run.log.info("tap", `Running: ${statementShape(sql)}`);
    const result = await run.loader.replaceTable(run.spec, () => copyOut(run.source, sql), {
      state: state as unknown as TReplicationState,
      tableVersion,
      meta: { extractedAt: new Date().toISOString() },
      onProgress: run.onProgress,
    });
    await run.source.query("COMMIT");
    await run.onStateCommitted(state as unknown as TReplicationState);
    return { ...result, maxBookmark: state.bookmark?.join(", ") ?? null, stopped: false };
  } catch (err) {
    await run.source.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}
