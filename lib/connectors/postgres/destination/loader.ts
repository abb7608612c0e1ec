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
import { finished, pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { quoteEscapedLiteral as literal, quoteIdent } from "@/lib/naming/identifiers";
import { openDestinationClient, type TDestinationConnection } from "@/lib/destination/connection";
import { CHANGE_SDC_COLUMNS, encodeGroup, groupChanges, insertSql, MERGE_JOIN_SETTINGS, mergeSql, stagingFor, writtenRowsSql } from "./change-staging";
import { assertTableReplaceable, claimSchema } from "@/lib/destination/ownership";
import { alterDestinationColumnType, columnDefinitionSql, qualified, readExistingColumns, renameDestinationColumn, SDC_COLUMNS, STATE_SCHEMA, STATE_TABLE } from "./ddl";
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
  /** `existingColumns`: the table's columns before it added any (none when it created the table). */
  ensureTable(spec: TLoadTableSpec): Promise<{ created: boolean; addedColumns: string[]; existingColumns: string[] }>;
  /** A source rename: renames the column only if the table has `from` and not `to`; true when it did. */
  renameColumn(table: string, from: string, to: string): Promise<boolean>;
  /** A safe widening (the caller checks it is one): the column's new type in place; true when it changed. */
  alterColumnType(table: string, column: string, type: string): Promise<boolean>;
  replaceTable(spec: TLoadTableSpec, source: TCopyTextSource, opts: { state: TReplicationState; tableVersion: number; meta: TBatchMeta; onProgress?: TProgress }): Promise<TLoadResult>;
  loadBatch(spec: TLoadTableSpec, source: TCopyTextSource, opts: { state: TReplicationState; tableVersion: number; meta: TBatchMeta; onProgress?: TProgress }): Promise<TLoadResult>;
  applyChanges(spec: TLoadTableSpec, changes: TChange[], opts: TApplyChangesOptions): Promise<TLoadResult>;
  /** applyChanges for changes already grouped (the log-based buffer's drain: no per-change objects). */
  applyChangeGroups(spec: TLoadTableSpec, groups: TChangeGroup[], opts: TApplyChangesOptions): Promise<TLoadResult>;
  /**
   * Marks a write in progress on this connection until unlockWrite (a session advisory lock, held across
   * the write's transactions): a later write whose merges overlap it waits for it in the database (see
   * TApplyChangesOptions.commitAfter).
   */
  lockWrite(lock: TWriteLock): Promise<void>;
  unlockWrite(lock: TWriteLock): Promise<void>;
  /** Saves state alone (e.g. a log position with no rows to load), in its own transaction. */
  saveState(tableKey: string, state: TReplicationState): Promise<void>;
  /** Another loader on its own connection to the same destination (writes that overlap). */
  fork(): Promise<TDestinationLoader>;
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
  /**
   * The merges and the commit wait for it (the previous batch, written on another connection, must
   * commit first: same keys, saved positions in order); the COPY into staging goes ahead meanwhile. If
   * it rejects, this call rolls back and rejects too.
   */
  mergeAfter?: Promise<unknown>;
  /**
   * The previous write, on another connection, changes none of this call's keys: the merges run at once,
   * alongside its merges, and only the state and COMMIT wait for it (positions are saved in order). The
   * wait is in the database, for the lock that write holds (lockWrite): should the two writes still wait
   * for each other through rows (a unique index added at the destination), PostgreSQL sees the cycle and
   * ends one of them with a deadlock error instead of both waiting forever. Then, for its outcome: if it
   * failed, this call rolls back and rejects with its error.
   */
  commitAfter?: { lock: TWriteLock; done: Promise<unknown> };
};

/** A write's advisory lock key (two int4: the writer's space and the write's number). */
export type TWriteLock = readonly [number, number];

const lockArgs = (lock: TWriteLock): string => `${lock[0] | 0}, ${lock[1] | 0}`;

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

/** A per-process counter so _sdc_sequence grows within a millisecond. */
let sequenceCounter = 0n;
function nextSequence(meta: TBatchMeta): bigint {
  sequenceCounter = (sequenceCounter + 1n) % 1000n;
  return meta.sequence ?? BigInt(Date.parse(meta.extractedAt)) * 1000n + sequenceCounter;
}

/** The savepoint around the plain inserts of a transaction's insert-only groups. */
const INSERT_SAVEPOINT = "_sdc_insert";

/**
 * `insertsConflict`: tables whose insert-only groups met a key already at the destination, so their
 * inserts are merged; shared by a loader and its forks (what one connection learned, the other need not
 * fail again to learn).
 */
export async function openLoader(opts: TLoaderOptions, insertsConflict = new Set<string>()): Promise<TDestinationLoader> {
  const client: pg.Client = await openDestinationClient(opts.conn);
  // Values arrive as text (the client parses no types).
  const settings = (await client.query(`SELECT current_setting('server_version_num') AS version, current_setting('track_counts') AS counts`)).rows[0] as { version: string; counts: string } | undefined;
  // Merges are counted with the statistics' per-transaction counters, unless the server does not keep them.
  const countByStats = settings?.counts === "on";
  // MERGE from PostgreSQL 15; counted by RETURNING merge_action() where the statistics are off, which
  // needs 17. Otherwise INSERT … ON CONFLICT.
  const version = Number(settings?.version ?? 0);
  const useMerge = version >= 170000 || (version >= 150000 && countByStats);
  const { schema, integrationId } = opts;
  const run = async (sql: string, params?: unknown[]): Promise<pg.QueryResult> => {
    opts.onSql?.(sql);
    return client.query(sql, params);
  };
  const stateTable = `${quoteIdent(STATE_SCHEMA)}.${quoteIdent(STATE_TABLE)}`;

  /** The statement saving a table's state (literals: it may travel with other statements in one query). */
  const stateUpsert = (tableKey: string, state: TReplicationState): string =>
    `INSERT INTO ${stateTable} (integration_id, table_key, state, updated_at) VALUES (${literal(integrationId)}, ${literal(tableKey)}, ${literal(JSON.stringify(state))}::jsonb, now())
       ON CONFLICT (integration_id, table_key) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`;
  const saveStateSql = async (tableKey: string, state: TReplicationState) => {
    await client.query(stateUpsert(tableKey, state));
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

  /**
   * COPY of text chunks into `target`. The chunks are encoded and written one after the other only once
   * the server is ready for data, without yielding in between: the server parses one chunk while the
   * next is encoded, and a busy replication stream in the same process cannot delay the data. `before`:
   * statements sent in the same query, ahead of the COPY (one round trip less).
   */
  const copyChunks = async (target: string, columns: string[], chunks: Iterable<string | Buffer>, before: string[] = [], binary = false): Promise<number> => {
    const sql = `COPY ${target} (${columns.map(quoteIdent).join(", ")}) FROM STDIN${binary ? " (FORMAT binary)" : ""}`;
    opts.onSql?.(sql);
    const ingest = copyFrom([...before, sql].join(";\n"));
    const hooks = ingest as unknown as { handleCopyInResponse(connection: unknown): void };
    const ready = new Promise<void>((resolve, reject) => {
      const handle = hooks.handleCopyInResponse.bind(ingest);
      hooks.handleCopyInResponse = (connection) => {
        handle(connection);
        resolve();
      };
      ingest.once("error", reject);
    });
    const done = finished(ingest);
    done.catch(() => undefined); // awaited below; an error before the server was ready rejects `ready` too
    client.query(ingest);
    await ready;
    try {
      for (const chunk of chunks) ingest.write(chunk);
    } catch (err) {
      ingest.destroy(err as Error); // sends CopyFail: the connection leaves COPY mode, the transaction fails
      throw err;
    }
    ingest.end();
    await done;
    return ingest.rowCount;
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

  /**
   * One transaction per call. Statements whose replies nothing waits for travel together in one query:
   * the opening (BEGIN, join settings, staging tables) before the first COPY, and the merges, the state
   * and COMMIT after the last one. A batch of upserts and deletes is four round trips, not eight; each
   * round trip is time the destination waits for a worker that is also reading the stream.
   */
  const applyGroupsOnce = async (spec: TLoadTableSpec, groups: TChangeGroup[], { state, tableVersion, uniqueKeys, mergeAfter, commitAfter }: TApplyChangesOptions): Promise<TLoadResult> => {
    const known = new Set(spec.columns.map((c) => c.name));
    for (const g of groups) {
      const unknown = g.sourceCols.filter((c) => !known.has(c));
      if (unknown.length > 0) throw new Error(`Change for ${spec.table} has columns the destination spec lacks: ${unknown.join(", ")}`);
    }
    const target = qualified(schema, spec.table);
    const keyed = spec.primaryKey.length > 0;
    const ordered = keyed && !uniqueKeys;
    const receivedAt = new Date().toISOString();
    const total = { ...EMPTY };
    /**
     * A statement waiting for the next round trip. `setup`: the next COPY needs it done (the transaction,
     * its staging table). `counts`: it returns the target's written-rows counters (`stats`: before the
     * first merge, kind null, or after a merge of that kind), a merge's own counts (`returned`) or, for a
     * plain insert, its row count (`rowCount`).
     */
    type TQueued = { sql: string; log: boolean; setup?: boolean; counts?: { kind: TChangeGroup["kind"] | null; from: "stats" | "returned" | "rowCount" } };
    let queued: TQueued[] = [{ sql: "BEGIN", log: false, setup: true }, ...(keyed && useMerge ? MERGE_JOIN_SETTINGS.map((sql) => ({ sql, log: false, setup: true })) : [])];
    let gate = mergeAfter;
    /**
     * The target's written-rows counters as of the last merge. Not zero at the start: they also hold
     * earlier transactions' counts the session has not reported to the statistics yet.
     */
    let written: { inserted: number; updated: number } | null = null;
    /** Staging tables holding rows whose merge is still queued. */
    const unmerged = new Set<string>();
    const usedInTransaction = new Set<string>();
    /** Insert-only groups staged and waiting: they go with the next merges (see send). */
    let inserts: { insert: string; merge: TQueued[] }[] = [];
    /** Runs statements as one query and adds up what their results count. */
    const runQueued = async (batch: TQueued[]): Promise<void> => {
      if (batch.length === 0) return;
      logQueued(batch);
      const res = (await client.query(batch.map((q) => q.sql).join(";\n"))) as pg.QueryResult | pg.QueryResult[];
      const results = Array.isArray(res) ? res : [res];
      batch.forEach((q, i) => {
        if (!q.counts) return;
        if (q.counts.from === "rowCount") {
          total.rowsInserted += results[i]?.rowCount ?? 0;
          return;
        }
        const row = results[i]?.rows[0] as { inserted: string | number; updated: string | number } | undefined;
        const now = { inserted: Number(row?.inserted ?? 0), updated: Number(row?.updated ?? 0) };
        const before = q.counts.from === "stats" ? written : { inserted: 0, updated: 0 };
        if (q.counts.from === "stats") written = now;
        // Soft deletes are updates (or inserts of keys never seen): counted as deletes, by the caller's rows.
        if (q.counts.kind === "upsert" && before) {
          total.rowsInserted += now.inserted - before.inserted;
          total.rowsUpdated += now.updated - before.updated;
        }
      });
    };
    /** Reads the target's written-rows counters: after a merge of `kind`, or before one (null). */
    const countersQuery = (kind: TChangeGroup["kind"] | null = null): TQueued => ({ sql: writtenRowsSql(target), log: false, counts: { kind, from: "stats" } });
    /** A fresh read of the counters (inserts moved them; an aborted one counts too). */
    const rereadCounters = (): TQueued[] => {
      written = null;
      return countByStats ? [countersQuery()] : [];
    };
    const send = async (): Promise<void> => {
      const batch = queued;
      queued = [];
      // Inserts wait here too: setup statements are never queued while one waits (its COPY sent them).
      const writes = inserts.length > 0 || batch.some((q) => !q.setup);
      if (gate && writes) {
        await gate;
        gate = undefined;
      }
      const tried = inserts;
      inserts = [];
      if (tried.length === 0) await runQueued(batch);
      else {
        // The inserts go first, in a savepoint, in the same round trip as the merges. A unique violation
        // (a key at the destination after all) rolls them back; their rows are merged instead, and the
        // table's inserts are merged from then on.
        const attempt: TQueued[] = [
          { sql: `SAVEPOINT ${INSERT_SAVEPOINT}`, log: false },
          ...tried.map((t): TQueued => ({ sql: t.insert, log: true, counts: { kind: "upsert", from: "rowCount" } })),
          { sql: `RELEASE SAVEPOINT ${INSERT_SAVEPOINT}`, log: false },
          ...rereadCounters(),
        ];
        try {
          await runQueued([...attempt, ...batch]);
        } catch (err) {
          // The savepoint is still there only if the inserts failed; a merge's error goes to the caller.
          if ((err as { code?: string }).code !== "23505" || !(await rollbackToSavepoint())) throw err;
          insertsConflict.add(spec.tableKey);
          await runQueued([...rereadCounters(), ...tried.flatMap((t) => t.merge), ...batch]);
        }
      }
      unmerged.clear();
    };
    const rollbackToSavepoint = async (): Promise<boolean> => {
      try {
        await client.query(`ROLLBACK TO SAVEPOINT ${INSERT_SAVEPOINT}`);
        opts.onSql?.(`ROLLBACK TO SAVEPOINT ${INSERT_SAVEPOINT}`);
        return true;
      } catch {
        return false;
      }
    };
    const logQueued = (batch: TQueued[]) => {
      for (const q of batch) if (q.log) opts.onSql?.(q.sql);
    };
    /**
     * What the next COPY needs (the transaction, its staging table) goes first: in the COPY's own query
     * when only such statements are queued (returned, to prefix it), else sent now with the rest.
     */
    const setupForCopy = async (): Promise<string[]> => {
      if (!queued.some((q) => q.setup)) return [];
      if (queued.some((q) => !q.setup)) {
        await send();
        return [];
      }
      const setup = queued;
      queued = [];
      logQueued(setup);
      return setup.map((q) => q.sql);
    };
    try {
      // The staging tables the session lacks are all created with the first COPY: a later COPY then
      // needs no setup sent first, which would make it wait for the merges queued before it.
      const stagings = keyed ? groups.map((g) => stagingFor(spec, g, ordered)) : [];
      for (const staging of stagings) {
        if (stagingCreated.has(staging.name)) continue;
        queued.push({ sql: staging.createSql, log: true, setup: true });
        stagingCreated.add(staging.name);
      }
      for (const [gi, g] of groups.entries()) {
        const chunks = encodeGroup(g, { receivedAt, tableVersion, full: !keyed, ordered });
        total.rowsReceived += g.rows.length;
        if (g.kind === "delete") total.rowsDeleted += g.rows.length;
        if (!keyed) {
          // Keyless: every change is a new row, appended straight into the target in order.
          total.rowsInserted += await copyChunks(target, [...g.sourceCols, ...CHANGE_SDC_COLUMNS], chunks, await setupForCopy());
          continue;
        }
        const staging = stagings[gi]!;
        // Refilling a staging table (ordered groups of one shape): its queued merge runs first.
        if (unmerged.has(staging.name)) await send();
        if (usedInTransaction.has(staging.name)) queued.push({ sql: `DELETE FROM ${quoteIdent(staging.name)}`, log: true, setup: true });
        usedInTransaction.add(staging.name);
        // Queued merges may wait for the next round trip, unless the COPY needs setup sent first.
        await copyChunks(quoteIdent(staging.name), staging.columns, chunks, await setupForCopy(), g.binary === true);
        unmerged.add(staging.name);
        const merge = mergeSql(target, staging.name, spec, g, { receivedAt, tableVersion, ordered, merge: useMerge, returning: !countByStats });
        const mergeQueued: TQueued[] = countByStats
          ? [{ sql: merge, log: true }, countersQuery(g.kind)]
          : [{ sql: merge, log: true, counts: { kind: g.kind, from: "returned" } }];
        if (g.insertOnly && !ordered && !insertsConflict.has(spec.tableKey)) {
          inserts.push({ insert: insertSql(target, staging.name, g, { receivedAt, tableVersion }), merge: mergeQueued });
          continue;
        }
        if (countByStats && !written && !queued.some((q) => q.counts)) queued.push(countersQuery());
        queued.push(...mergeQueued);
      }
      if (commitAfter) {
        // The merges go now; the previous write's end is awaited in the database, then its outcome here.
        queued.push({ sql: `SELECT pg_advisory_xact_lock_shared(${lockArgs(commitAfter.lock)})`, log: false });
        await send();
        await commitAfter.done;
      }
      queued.push({ sql: stateUpsert(spec.tableKey, state), log: false }, { sql: "COMMIT", log: false });
      await send();
      return total;
    } catch (err) {
      // A rolled-back transaction takes the staging tables it created with it.
      stagingCreated.clear();
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  };

  const loader: TDestinationLoader = {
    schema,

    async prepare() {
      // Two jobs creating the same schema at once can collide on the catalog's unique index: retry once.
      for (let attempt = 0; ; attempt++) {
        try {
          await claimSchema(client, run, schema, integrationId);
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
        return { created: true, addedColumns: [], existingColumns: [] };
      }
      const missing = [...spec.columns, ...SDC_COLUMNS].filter((c) => !existing.has(c.name));
      for (const c of missing) await run(`ALTER TABLE ${qualified(schema, spec.table)} ADD COLUMN IF NOT EXISTS ${columnDefinitionSql(c.name, c.type)}`);
      return { created: false, addedColumns: missing.map((c) => c.name), existingColumns: [...existing.keys()] };
    },

    renameColumn: (table, from, to) => renameDestinationColumn(client, run, { schema, table }, from, to),

    alterColumnType: (table, column, type) => alterDestinationColumnType(client, run, { schema, table }, column, type),

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
        await assertTableReplaceable(client, schema, spec.table);
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

    async applyChangeGroups(spec, groups, opts) {
      try {
        return await applyGroupsOnce(spec, groups, opts);
      } catch (err) {
        // Two changes whose keys differ as text but are equal at the destination ("7.0" and "7.00"): ON
        // CONFLICT says it cannot affect a row a second time (21000); MERGE, which does not see its own
        // inserts, hits the key's unique index (23505). Done again with the last-change-per-key merge.
        const code = (err as { code?: string }).code;
        if (opts.uniqueKeys && (code === "21000" || code === "23505")) return applyGroupsOnce(spec, groups, { ...opts, uniqueKeys: false });
        throw err;
      }
    },

    async lockWrite(lock) {
      await client.query(`SELECT pg_advisory_lock(${lockArgs(lock)})`);
    },

    async unlockWrite(lock) {
      await client.query(`SELECT pg_advisory_unlock(${lockArgs(lock)})`);
    },

    async saveState(tableKey, state) {
      await inTransaction(() => saveStateSql(tableKey, state));
    },

    fork() {
      return openLoader(opts, insertsConflict);
    },

    async close() {
      await client.end().catch(() => undefined);
    },
  };
  return loader;
}
