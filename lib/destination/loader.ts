/**
 * The PostgreSQL destination loader.
 *
 * API (used by Full Table, Key-based Incremental and the log-based engine):
 *
 *   const loader = await openLoader({ conn, schema, integrationId });   // one client, text values only
 *   await loader.prepare();                      // CREATE SCHEMA IF NOT EXISTS + the state table (idempotent)
 *   const state = await loader.readState(tableKey);   // the authoritative bookmark/state, or null
 *   await loader.ensureTable(spec);                   // CREATE TABLE IF NOT EXISTS + ALTER TABLE ADD COLUMN for
 *                                                     // new source columns; returns the columns it added
 *   await loader.replaceTable(spec, source, { state, tableVersion, meta })
 *       // Full Table: COPY into a new table, then DROP old + RENAME new + save state in ONE transaction
 *   await loader.loadBatch(spec, source, { state, meta })
 *       // COPY into a staging table, merge (INSERT … ON CONFLICT DO UPDATE; keyless: append), save state,
 *       // all in ONE transaction: a crash before COMMIT leaves rows and bookmark as they were.
 *   await loader.applyChanges(spec, changes, { state })
 *       // Log-based: ordered TChange[] (upserts with the columns present; deletes keep the row and set
 *       // _sdc_deleted_at; columns absent from a change are left untouched), state saved in the same
 *       // transaction. Changes are applied in order; several changes to one key in a call are fine.
 *       // { uniqueKeys: true }: the caller guarantees one change per key (cheaper merge, no ordering).
 *       // Staging: one TEMP table per column set, created once per session, ON COMMIT DELETE ROWS.
 *   await loader.resetTable(spec.table, tableKey);    // DROP TABLE + forget the state, in one transaction
 *   await loader.close();
 *
 * Contracts:
 * - `source` is a function returning a Readable of COPY text-format rows of spec.columns in that order
 *   (e.g. a pg-copy-streams `COPY (SELECT …) TO STDOUT` stream). Bytes are passed through, never parsed.
 * - Every load is idempotent for keyed tables (upsert by the primary key), so at-least-once delivery from
 *   a bookmark saved with the rows it covers converges to exactly the source.
 * - `state` is opaque JSON owned by the replication method; it is stored in
 *   "_pgreplicate"."table_states" (integration_id, table_key) at the destination. Callers mirror it to
 *   the app's table_states only AFTER the loader returned (the destination copy wins on disagreement).
 * - _sdc columns: _sdc_extracted_at, _sdc_received_at, _sdc_batched_at (timestamptz), _sdc_sequence,
 *   _sdc_table_version (bigint), _sdc_deleted_at (timestamptz, set only by deletes of a change stream).
 */
import { randomBytes } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { quoteIdent } from "@/lib/naming/identifiers";
import { openDestinationClient, type TDestinationConnection } from "./connection";
import { CHANGE_SDC_COLUMNS, encodeGroup, groupChanges, MERGE_JOIN_SETTINGS, mergeSql, stagingFor } from "./change-staging";
import { columnDefinitionSql, qualified, readExistingColumns, SDC_COLUMNS, STATE_SCHEMA, STATE_TABLE } from "./ddl";
import type { TBatchMeta, TChange, TChangeGroup, TCopyTextSource, TLoadResult, TLoadTableSpec, TProgress, TReplicationState } from "./types";

export type { TBatchMeta, TChange, TChangeGroup, TChangeRow, TCopyTextSource, TLoadResult, TLoadTableSpec, TProgress, TReplicationState } from "./types";

export type TLoaderOptions = {
  conn: TDestinationConnection;
  /** The integration's destination schema. */
  schema: string;
  integrationId: string;
  /** Called with each SQL statement the loader runs (for the extraction log); COPY data never. */
  onSql?: (sql: string) => void;
};

export type TDestinationLoader = {
  readonly schema: string;
  prepare(): Promise<void>;
  readState(tableKey: string): Promise<TReplicationState | null>;
  ensureTable(spec: TLoadTableSpec): Promise<{ created: boolean; addedColumns: string[] }>;
  replaceTable(spec: TLoadTableSpec, source: TCopyTextSource, opts: { state: TReplicationState; tableVersion: number; meta: TBatchMeta; onProgress?: TProgress }): Promise<TLoadResult>;
  loadBatch(spec: TLoadTableSpec, source: TCopyTextSource, opts: { state: TReplicationState; tableVersion: number; meta: TBatchMeta; onProgress?: TProgress }): Promise<TLoadResult>;
  applyChanges(spec: TLoadTableSpec, changes: TChange[], opts: TApplyChangesOptions): Promise<TLoadResult>;
  /** applyChanges for changes already grouped (the log-based buffer's drain: no per-change objects). */
  applyChangeGroups(spec: TLoadTableSpec, groups: TChangeGroup[], opts: TApplyChangesOptions): Promise<TLoadResult>;
  /** Saves state alone (e.g. a log position with no rows to load), in its own transaction. */
  saveState(tableKey: string, state: TReplicationState): Promise<void>;
  resetTable(table: string, tableKey: string): Promise<void>;
  close(): Promise<void>;
};

export type TApplyChangesOptions = {
  state: TReplicationState;
  tableVersion: number;
  /**
   * The caller guarantees at most one change per primary key in the call (e.g. the log-based buffer,
   * which merges changes per key): the merge then skips ordering and de-duplication. Without it,
   * several changes to one key are fine (the last one wins).
   */
  uniqueKeys?: boolean;
};

const EMPTY: TLoadResult = { rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 0 };

/** Counts COPY text rows (one raw newline per row: newlines inside values are escaped) for progress. */
function rowCounter(onProgress: TProgress | undefined): Transform {
  let rows = 0;
  let lastReport = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (onProgress) {
        let i = chunk.indexOf(10);
        while (i !== -1) {
          rows++;
          i = chunk.indexOf(10, i + 1);
        }
        const now = Date.now();
        if (now - lastReport > 500) {
          lastReport = now;
          onProgress(rows);
        }
      }
      done(null, chunk);
    },
  });
}

/** WITH (fillfactor = …) for a spec that asks for one. */
function storageSql(spec: TLoadTableSpec): string {
  const f = spec.fillfactor;
  return f !== undefined && Number.isInteger(f) && f >= 10 && f < 100 ? ` WITH (fillfactor = ${f})` : "";
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A per-process counter so _sdc_sequence grows within a millisecond. */
let sequenceCounter = 0n;
function nextSequence(meta: TBatchMeta): bigint {
  sequenceCounter = (sequenceCounter + 1n) % 1000n;
  return meta.sequence ?? BigInt(Date.parse(meta.extractedAt)) * 1000n + sequenceCounter;
}

export async function openLoader(opts: TLoaderOptions): Promise<TDestinationLoader> {
  const client: pg.Client = await openDestinationClient(opts.conn);
  // MERGE … RETURNING merge_action() needs PostgreSQL 17.
  const versionRow = (await client.query(`SELECT current_setting('server_version_num')::int AS v`)).rows[0] as { v: number } | undefined;
  const useMerge = (versionRow?.v ?? 0) >= 170000;
  const { schema, integrationId } = opts;
  const run = async (sql: string, params?: unknown[]): Promise<pg.QueryResult> => {
    opts.onSql?.(sql);
    return client.query(sql, params);
  };
  const stateTable = `${quoteIdent(STATE_SCHEMA)}.${quoteIdent(STATE_TABLE)}`;

  const saveStateSql = async (tableKey: string, state: TReplicationState) => {
    await client.query(
      `INSERT INTO ${stateTable} (integration_id, table_key, state, updated_at) VALUES ($1, $2, $3::jsonb, now())
       ON CONFLICT (integration_id, table_key) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
      [integrationId, tableKey, JSON.stringify(state)],
    );
  };

  const inTransaction = async <T>(fn: () => Promise<T>): Promise<T> => {
    await client.query("BEGIN");
    try {
      const out = await fn();
      await client.query("COMMIT");
      return out;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  };

  /** Columns of the _sdc defaults for a batch: every row of a COPY gets the same metadata. */
  const sdcDefaults = (meta: TBatchMeta, tableVersion: number): Record<string, string> => {
    const now = new Date().toISOString();
    return {
      _sdc_extracted_at: `${literal(meta.extractedAt)}::timestamptz`,
      _sdc_received_at: `${literal(now)}::timestamptz`,
      _sdc_batched_at: `${literal(now)}::timestamptz`,
      _sdc_sequence: `${nextSequence(meta).toString()}::bigint`,
      _sdc_table_version: `${Math.trunc(tableVersion)}::bigint`,
    };
  };

  const copyInto = async (target: string, columns: string[], source: TCopyTextSource, onProgress?: TProgress): Promise<number> => {
    const sql = `COPY ${target} (${columns.map(quoteIdent).join(", ")}) FROM STDIN`;
    opts.onSql?.(sql);
    const ingest = client.query(copyFrom(sql));
    const input: Readable = source();
    await pipeline(input, rowCounter(onProgress), ingest);
    const count = ingest.rowCount ?? 0;
    onProgress?.(count);
    return count;
  };

  /** A temporary staging table with the spec's columns, the _sdc columns (with batch defaults) and an ordinal. */
  const createStaging = async (name: string, spec: TLoadTableSpec, cols: string[], defaults: Record<string, string>) => {
    const typeOf = new Map([...spec.columns, ...SDC_COLUMNS].map((c) => [c.name, c.type]));
    const defs = cols.map((c) => {
      const d = defaults[c];
      return `${quoteIdent(c)} ${typeOf.get(c) ?? "text"}${d ? ` DEFAULT ${d}` : ""}`;
    });
    await run(`CREATE TEMP TABLE ${quoteIdent(name)} (${defs.join(", ")}, "_sdc_ord" bigserial) ON COMMIT DROP`);
  };

  /** Merges staging into the target: upsert by the key (last staged row wins) or append. */
  const mergeStaging = async (staging: string, spec: TLoadTableSpec, cols: string[]): Promise<{ inserted: number; updated: number }> => {
    const target = qualified(schema, spec.table);
    const colList = cols.map(quoteIdent).join(", ");
    if (spec.primaryKey.length === 0) {
      const res = await run(`INSERT INTO ${target} (${colList}) SELECT ${colList} FROM ${quoteIdent(staging)} ORDER BY "_sdc_ord"`);
      return { inserted: res.rowCount ?? 0, updated: 0 };
    }
    const pk = spec.primaryKey.map(quoteIdent).join(", ");
    const updates = cols.filter((c) => !spec.primaryKey.includes(c)).map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`);
    const res = await run(
      `WITH merged AS (
         INSERT INTO ${target} (${colList})
         SELECT DISTINCT ON (${pk}) ${colList} FROM ${quoteIdent(staging)} ORDER BY ${pk}, "_sdc_ord" DESC
         ON CONFLICT (${pk}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(", ")}` : "NOTHING"}
         RETURNING (xmax = 0) AS inserted
       ) SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM merged`,
    );
    const row = res.rows[0] as { inserted: string | number; updated: string | number } | undefined;
    return { inserted: Number(row?.inserted ?? 0), updated: Number(row?.updated ?? 0) };
  };

  /** TEMP staging tables this session already created (ON COMMIT DELETE ROWS; forgotten on ROLLBACK). */
  const stagingCreated = new Set<string>();

  const applyGroupsOnce = async (spec: TLoadTableSpec, groups: TChangeGroup[], state: TReplicationState, tableVersion: number, uniqueKeys: boolean): Promise<TLoadResult> => {
    const known = new Set(spec.columns.map((c) => c.name));
    for (const g of groups) {
      const unknown = g.sourceCols.filter((c) => !known.has(c));
      if (unknown.length > 0) throw new Error(`Change for ${spec.table} has columns the destination spec lacks: ${unknown.join(", ")}`);
    }
    const target = qualified(schema, spec.table);
    const keyed = spec.primaryKey.length > 0;
    const ordered = keyed && !uniqueKeys;
    const usedInTransaction = new Set<string>();
    let joinSettingsSet = false;
    try {
      return await inTransaction(async () => {
        const total = { ...EMPTY };
        const receivedAt = new Date().toISOString();
        for (const g of groups) {
          const data = () => Readable.from(encodeGroup(g, { receivedAt, tableVersion, full: !keyed, ordered }), { objectMode: false });
          let merged = { inserted: 0, updated: 0 };
          if (!keyed) {
            // Keyless: every change is a new row, appended straight into the target in order.
            const rows = await copyInto(target, [...g.sourceCols, ...CHANGE_SDC_COLUMNS], data);
            merged = { inserted: rows, updated: 0 };
          } else {
            const staging = stagingFor(spec, g, ordered);
            if (!stagingCreated.has(staging.name)) {
              await run(staging.createSql);
              stagingCreated.add(staging.name);
            } else if (usedInTransaction.has(staging.name)) await run(`DELETE FROM ${quoteIdent(staging.name)}`);
            usedInTransaction.add(staging.name);
            await copyInto(quoteIdent(staging.name), staging.columns, data);
            if (useMerge && !joinSettingsSet) {
              await client.query(MERGE_JOIN_SETTINGS);
              joinSettingsSet = true;
            }
            const res = await run(mergeSql(target, staging.name, spec, g, { receivedAt, tableVersion, ordered, merge: useMerge }));
            const row = res.rows[0] as { inserted: string | number; updated: string | number } | undefined;
            merged = { inserted: Number(row?.inserted ?? 0), updated: Number(row?.updated ?? 0) };
          }
          total.rowsReceived += g.rows.length;
          if (g.kind === "delete") total.rowsDeleted += g.rows.length;
          else {
            total.rowsInserted += merged.inserted;
            total.rowsUpdated += merged.updated;
          }
        }
        await saveStateSql(spec.tableKey, state);
        return total;
      });
    } catch (err) {
      // A rolled-back transaction takes the staging tables it created with it.
      stagingCreated.clear();
      throw err;
    }
  };

  const loader: TDestinationLoader = {
    schema,

    async prepare() {
      // Two jobs creating the same schema at once can collide on the catalog's unique index: retry once.
      for (let attempt = 0; ; attempt++) {
        try {
          await run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
          await run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(STATE_SCHEMA)}`);
          await run(
            `CREATE TABLE IF NOT EXISTS ${stateTable} (integration_id text NOT NULL, table_key text NOT NULL, state jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (integration_id, table_key))`,
          );
          return;
        } catch (err) {
          if (attempt >= 2 || (err as { code?: string }).code !== "23505") throw err;
        }
      }
    },

    async readState(tableKey) {
      const res = await client.query(`SELECT state::text AS state FROM ${stateTable} WHERE integration_id = $1 AND table_key = $2`, [integrationId, tableKey]);
      const row = res.rows[0] as { state: string } | undefined;
      return row ? (JSON.parse(row.state) as TReplicationState) : null;
    },

    async ensureTable(spec) {
      const existing = await readExistingColumns(client, schema, spec.table);
      if (existing === null) {
        const defs = [...spec.columns, ...SDC_COLUMNS].map((c) => columnDefinitionSql(c.name, c.type));
        const pk = spec.primaryKey.length > 0 ? `, PRIMARY KEY (${spec.primaryKey.map(quoteIdent).join(", ")})` : "";
        await run(`CREATE TABLE IF NOT EXISTS ${qualified(schema, spec.table)} (${defs.join(", ")}${pk})${storageSql(spec)}`);
        return { created: true, addedColumns: [] };
      }
      const missing = [...spec.columns, ...SDC_COLUMNS].filter((c) => !existing.has(c.name));
      for (const c of missing) await run(`ALTER TABLE ${qualified(schema, spec.table)} ADD COLUMN IF NOT EXISTS ${columnDefinitionSql(c.name, c.type)}`);
      return { created: false, addedColumns: missing.map((c) => c.name) };
    },

    async replaceTable(spec, source, { state, tableVersion, meta, onProgress }) {
      const tmpName = `_sdc_${randomBytes(6).toString("hex")}`;
      const tmp = qualified(schema, tmpName);
      const target = qualified(schema, spec.table);
      const defaults = sdcDefaults(meta, tableVersion);
      return inTransaction(async () => {
        const defs = [...spec.columns, ...SDC_COLUMNS].map((c) => `${columnDefinitionSql(c.name, c.type)}${defaults[c.name] ? ` DEFAULT ${defaults[c.name]}` : ""}`);
        await run(`CREATE TABLE ${tmp} (${defs.join(", ")})${storageSql(spec)}`);
        const rows = await copyInto(tmp, spec.columns.map((c) => c.name), source, onProgress);
        await run(`ALTER TABLE ${tmp} ${Object.keys(defaults).map((c) => `ALTER COLUMN ${quoteIdent(c)} DROP DEFAULT`).join(", ")}`);
        if (spec.primaryKey.length > 0) {
          await run(`ALTER TABLE ${tmp} ADD CONSTRAINT ${quoteIdent(`${tmpName}_pkey`)} PRIMARY KEY (${spec.primaryKey.map(quoteIdent).join(", ")})`);
        }
        // Readers keep seeing the old table until COMMIT: DROP + RENAME are part of this transaction.
        await run(`DROP TABLE IF EXISTS ${target}`);
        await run(`ALTER TABLE ${tmp} RENAME TO ${quoteIdent(spec.table)}`);
        await saveStateSql(spec.tableKey, state);
        return { ...EMPTY, rowsInserted: rows, rowsReceived: rows };
      });
    },

    async loadBatch(spec, source, { state, tableVersion, meta, onProgress }) {
      // _sdc_deleted_at is staged as NULL: a row read from the source exists there.
      const cols = [...spec.columns.map((c) => c.name), ...SDC_COLUMNS.map((c) => c.name)];
      return inTransaction(async () => {
        const staging = "_sdc_stage";
        await createStaging(staging, spec, cols, sdcDefaults(meta, tableVersion));
        const rows = await copyInto(quoteIdent(staging), spec.columns.map((c) => c.name), source, onProgress);
        const merged = rows > 0 ? await mergeStaging(staging, spec, cols) : { inserted: 0, updated: 0 };
        await run(`DROP TABLE ${quoteIdent(staging)}`);
        await saveStateSql(spec.tableKey, state);
        return { rowsInserted: merged.inserted, rowsUpdated: merged.updated, rowsDeleted: 0, rowsReceived: rows };
      });
    },

    async applyChanges(spec, changes, opts) {
      return loader.applyChangeGroups(spec, groupChanges(changes), opts);
    },

    async applyChangeGroups(spec, groups, { state, tableVersion, uniqueKeys }) {
      try {
        return await applyGroupsOnce(spec, groups, state, tableVersion, uniqueKeys === true);
      } catch (err) {
        // Two changes whose keys differ as text but are equal at the destination ("7.0" and "7.00"): ON
        // CONFLICT says it cannot affect a row a second time (21000); MERGE, which does not see its own
        // inserts, hits the key's unique index (23505). Done again with the last-change-per-key merge.
        const code = (err as { code?: string }).code;
        if (uniqueKeys && (code === "21000" || code === "23505")) return applyGroupsOnce(spec, groups, state, tableVersion, false);
        throw err;
      }
    },

    async saveState(tableKey, state) {
      await inTransaction(() => saveStateSql(tableKey, state));
    },

    async resetTable(table, tableKey) {
      await inTransaction(async () => {
        await run(`DROP TABLE IF EXISTS ${qualified(schema, table)}`);
        await client.query(`DELETE FROM ${stateTable} WHERE integration_id = $1 AND table_key = $2`, [integrationId, tableKey]);
      });
    },

    async close() {
      await client.end().catch(() => undefined);
    },
  };
  return loader;
}
