import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { quoteEscapedLiteral as literal, quoteIdent } from "@/lib/naming/identifiers";
import { assertTableReplaceable } from "@/lib/destination/ownership";
import type { TBatchMeta, TCopyTextSource, TLoadOptions, TLoadResult, TLoadTableSpec, TRowBatches } from "../../types";
import { encodeCopyRow } from "./copy-text";
import { copyStream } from "./copy-in";
import { columnDefinitionSql, qualified, SDC_COLUMNS, storageSql } from "./ddl";
import { inTransaction, run, type TPgSession } from "./session";
import { saveStateInTransaction } from "./state-store";

/** A per-process counter so _sdc_sequence grows within a millisecond. */
let sequenceCounter = 0n;
function nextSequence(meta: TBatchMeta): bigint {
  sequenceCounter = (sequenceCounter + 1n) % 1000n;
  return meta.sequence ?? BigInt(Date.parse(meta.extractedAt)) * 1000n + sequenceCounter;
}

/** Columns of the _sdc defaults for a batch: every row of a COPY gets the same metadata. */
function sdcDefaults(meta: TBatchMeta, tableVersion: number): Record<string, string> {
  const now = new Date().toISOString();
  return {
    _sdc_extracted_at: `${literal(meta.extractedAt)}::timestamptz`,
    _sdc_received_at: `${literal(now)}::timestamptz`,
    _sdc_batched_at: `${literal(now)}::timestamptz`,
    _sdc_sequence: `${nextSequence(meta).toString()}::bigint`,
    _sdc_table_version: `${Math.trunc(tableVersion)}::bigint`,
  };
}

/**
 * Full Table: COPY into a new table, then DROP old + RENAME new + save state in ONE transaction
 * (readers keep seeing the old table until COMMIT).
 */
export function replaceTable(s: TPgSession, spec: TLoadTableSpec, source: TCopyTextSource, { state, tableVersion, meta, onProgress }: TLoadOptions): Promise<TLoadResult> {
  const { schema } = s.opts;
  const tmpName = `_sdc_${randomBytes(6).toString("hex")}`;
  const tmp = qualified(schema, tmpName);
  const defaults = sdcDefaults(meta, tableVersion);
  return inTransaction(s, async () => {
    const defs = [...spec.columns, ...SDC_COLUMNS].map((c) => `${columnDefinitionSql(c.name, c.type)}${defaults[c.name] ? ` DEFAULT ${defaults[c.name]}` : ""}`);
    await run(s, `CREATE TABLE ${tmp} (${defs.join(", ")})${storageSql(spec)}`);
    const rows = await copyStream(s, tmp, spec.columns.map((c) => c.name), source, onProgress);
    await run(s, `ALTER TABLE ${tmp} ${Object.keys(defaults).map((c) => `ALTER COLUMN ${quoteIdent(c)} DROP DEFAULT`).join(", ")}`);
    if (spec.primaryKey.length > 0) {
      await run(s, `ALTER TABLE ${tmp} ADD CONSTRAINT ${quoteIdent(`${tmpName}_pkey`)} PRIMARY KEY (${spec.primaryKey.map(quoteIdent).join(", ")})`);
    }
    // Readers keep seeing the old table until COMMIT: DROP + RENAME are part of this transaction.
    await assertTableReplaceable(s.client, schema, spec.table);
    await run(s, `DROP TABLE IF EXISTS ${qualified(schema, spec.table)}`);
    await run(s, `ALTER TABLE ${tmp} RENAME TO ${quoteIdent(spec.table)}`);
    await saveStateInTransaction(s, spec.tableKey, state);
    return { rowsInserted: rows, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: rows };
  });
}

/**
 * COPY into a staging table, merge (INSERT … ON CONFLICT DO UPDATE; keyless: append), save state, all in
 * ONE transaction: a crash before COMMIT leaves rows and bookmark as they were.
 */
export function loadBatch(s: TPgSession, spec: TLoadTableSpec, source: TCopyTextSource, { state, tableVersion, meta, onProgress }: TLoadOptions): Promise<TLoadResult> {
  // _sdc_deleted_at is staged as NULL: a row read from the source exists there.
  const cols = [...spec.columns.map((c) => c.name), ...SDC_COLUMNS.map((c) => c.name)];
  return inTransaction(s, async () => {
    const staging = "_sdc_stage";
    await createStaging(s, staging, spec, cols, sdcDefaults(meta, tableVersion));
    const rows = await copyStream(s, quoteIdent(staging), spec.columns.map((c) => c.name), source, onProgress);
    const merged = rows > 0 ? await mergeStaging(s, staging, spec, cols) : { inserted: 0, updated: 0 };
    await run(s, `DROP TABLE ${quoteIdent(staging)}`);
    await saveStateInTransaction(s, spec.tableKey, state);
    return { rowsInserted: merged.inserted, rowsUpdated: merged.updated, rowsDeleted: 0, rowsReceived: rows };
  });
}

/** Neutral rows as the COPY text the fast path takes (a source without COPY still loads through it). */
export function copyTextOf(rows: TRowBatches): TCopyTextSource {
  return () =>
    Readable.from(
      (async function* () {
        for await (const batch of rows) yield batch.map((r) => encodeCopyRow(r)).join("");
      })(),
    );
}

/** A temporary staging table with the spec's columns, the _sdc columns (with batch defaults) and an ordinal. */
async function createStaging(s: TPgSession, name: string, spec: TLoadTableSpec, cols: string[], defaults: Record<string, string>): Promise<void> {
  const typeOf = new Map([...spec.columns, ...SDC_COLUMNS].map((c) => [c.name, c.type]));
  const defs = cols.map((c) => {
    const d = defaults[c];
    return `${quoteIdent(c)} ${typeOf.get(c) ?? "text"}${d ? ` DEFAULT ${d}` : ""}`;
  });
  await run(s, `CREATE TEMP TABLE ${quoteIdent(name)} (${defs.join(", ")}, "_sdc_ord" bigserial) ON COMMIT DROP`);
}

/** Merges staging into the target: upsert by the key (last staged row wins) or append. */
async function mergeStaging(s: TPgSession, staging: string, spec: TLoadTableSpec, cols: string[]): Promise<{ inserted: number; updated: number }> {
  const target = qualified(s.opts.schema, spec.table);
  const colList = cols.map(quoteIdent).join(", ");
  if (spec.primaryKey.length === 0) {
    const res = await run(s, `INSERT INTO ${target} (${colList}) SELECT ${colList} FROM ${quoteIdent(staging)} ORDER BY "_sdc_ord"`);
    return { inserted: res.rowCount ?? 0, updated: 0 };
  }
  const pk = spec.primaryKey.map(quoteIdent).join(", ");
  const updates = cols.filter((c) => !spec.primaryKey.includes(c)).map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`);
  const res = await run(
    s,
    `WITH merged AS (
       INSERT INTO ${target} (${colList})
       SELECT DISTINCT ON (${pk}) ${colList} FROM ${quoteIdent(staging)} ORDER BY ${pk}, "_sdc_ord" DESC
       ON CONFLICT (${pk}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(", ")}` : "NOTHING"}
       RETURNING (xmax = 0) AS inserted
     ) SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM merged`,
  );
  const row = res.rows[0] as { inserted: string | number; updated: string | number } | undefined;
  return { inserted: Number(row?.inserted ?? 0), updated: Number(row?.updated ?? 0) };
}
