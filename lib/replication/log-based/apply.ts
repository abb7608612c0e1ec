import { randomInt } from "node:crypto";
import type pg from "pg";
import type { TChangeGroup, TDestinationLoader, TLoadResult, TLoadTableSpec, TWriteLock } from "@/lib/connectors/postgres/destination";
import type { TJobLogger } from "@/lib/jobs/log";
import { quoteIdent } from "@/lib/naming/identifiers";
import { readSourceColumns } from "../source-columns";
import type { TChangeMeta } from "./buffer";
import type { TRelationInfo, TRowChange, TStreamEvent } from "./changes";
import { reachFaultPoint } from "./faults";
import { formatLsn, maxLsn, type TLsn } from "./lsn";
import type { TKeyId } from "./row-arena";
import { stateRecord, type TLogBasedState } from "./state";
import { noteTypeChange, streamKey, type TLogTable } from "./table-context";
import { widenColumns, withCurrentNames } from "./column-drift";

export type TStreamTableState = {
  t: TLogTable;
  state: TLogBasedState;
  /** Committed at the destination (what the slot may be acknowledged to). */
  savedLsn: TLsn;
  /** Handed to a write that may still be running. */
  queuedLsn: TLsn;
};

/** `keys`: the keys its changes touch (null: a keyless table). */
type TBatchEntry = { s: TStreamTableState; groups: TChangeGroup[]; received: number; state: TLogBasedState; lsn: TLsn; spec: TLoadTableSpec; keys: ReadonlyMap<TKeyId, unknown> | null };

/**
 * Key types whose text is one-to-one with their value: two changes whose key texts differ never touch
 * the same destination row (unlike numeric's 7.0 and 7.00, or char(n)'s trailing spaces). Text compares
 * by its bytes in the destination's default collation, which is deterministic.
 */
const ONE_TEXT_PER_VALUE = /^(smallint|integer|bigint|uuid|text|character varying(\(\d+\))?|boolean|date)$/;

export type TApplierOptions = {
  source: pg.Client;
  loader: TDestinationLoader;
  /**
   * Opens a second connection to the destination: a batch's COPY into staging then runs while the
   * previous batch's merges run on the other one (its merges wait for that commit). Called only when a
   * second write would start (most jobs never need it); close() closes it.
   */
  openSpare?: (() => Promise<TDestinationLoader>) | null;
  log: TJobLogger;
  tables: TStreamTableState[];
  /** The slot's confirmed position when reading started: never acknowledge below it. */
  slotConfirmed: TLsn;
  onStateCommitted(tableKey: string, state: TLogBasedState): Promise<void>;
  onProgress(tableKey: string, rowsDone: number): void;
  /**
   * Changes buffered before a write starts at a transaction boundary when the destination is idle. While
   * a write runs the stream goes on, so batches grow to what arrives meanwhile (up to maxBufferedChanges).
   */
  batchChanges?: number;
  /**
   * Changes buffered before reading waits for the write in flight; inside one huge transaction, also the
   * point where they are written anyway (its position is saved only at its commit).
   */
  maxBufferedChanges?: number;
  flushEveryMs?: number;
};

/**
 * Applies the decoded stream of one database to the destination. Changes are buffered per table and
 * written at transaction boundaries in batches (one destination transaction per table per batch, the
 * table's position saved in it). A table skips transactions it already has (commit before its saved
 * position: a crash after the destination committed and before the slot was acknowledged replays them).
 */
export class StreamApplier {
  private readonly byName = new Map<string, TStreamTableState>();
  private txCommitLsn: TLsn = 0n;
  /** The current transaction's metadata, shared by its changes. */
  private txMeta: TChangeMeta = { at: new Date().toISOString(), sequence: 0n };
  /** Column lists (one per relation description) already checked for dropped columns. */
  private checkedColumns = new WeakSet<readonly string[]>();
  private lastCommitEnd: TLsn;
  private buffered = 0;
  private lastFlush = Date.now();
  private lastIdleSave = 0;
  private typeNames = new Map<string, string>();
  private readonly batchChanges: number;
  private readonly maxBuffered: number;
  private readonly flushEveryMs: number;
  changesSeen = 0;
  /** Time spent writing to the destination (for the job's summary line). */
  applyMs = 0;

  constructor(private readonly opts: TApplierOptions) {
    for (const s of opts.tables) {
      this.byName.set(streamKey(s.t.table.schema, s.t.table.name), s);
      // A partition's changes are its root's (wal2json, and pgoutput without publish_via_partition_root).
      for (const p of s.t.partitions) this.byName.set(streamKey(p.schema, p.name), s);
    }
    this.lastCommitEnd = opts.slotConfirmed;
    this.batchChanges = opts.batchChanges ?? 2_000;
    this.maxBuffered = opts.maxBufferedChanges ?? 30_000;
    this.flushEveryMs = opts.flushEveryMs ?? 5_000;
    this.loaders = [opts.loader];
    this.writeSlots = opts.openSpare ? 2 : 1;
    for (const s of opts.tables) {
      const pk = s.t.spec.primaryKey;
      if (pk.length > 0 && pk.every((k) => ONE_TEXT_PER_VALUE.test(s.t.sourceTypes.get(k) ?? ""))) this.oneTextKeys.add(s);
    }
  }

  /** Tables whose key types have one text per value (see ONE_TEXT_PER_VALUE). */
  private readonly oneTextKeys = new Set<TStreamTableState>();
  /** This applier's writes' lock keys: a random space (jobs of other integrations have their own), then the write's number. */
  private readonly lockSpace = randomInt(1, 2 ** 31 - 1);
  /** Writes started, and those whose merges ran alongside the previous write's (for the job's summary line). */
  writesStarted = 0;
  overlappedWrites = 0;

  /** What the destination holds for every table: the only position the slot may be confirmed to. */
  committedLsn(): TLsn {
    let min: TLsn | null = null;
    for (const s of this.opts.tables) min = min === null || s.savedLsn < min ? s.savedLsn : min;
    return maxLsn(this.opts.slotConfirmed, min ?? this.opts.slotConfirmed);
  }

  /**
   * Handles one event in stream order. Returns a promise only when it has to wait (a destination write,
   * a source lookup): the reader handles everything else synchronously. `walStart` is the message's
   * position (used when the event does not carry its own).
   */
  onEvent(event: TStreamEvent, walStart: TLsn): void | Promise<void> {
    if (this.failure) throw this.failure;
    switch (event.kind) {
      case "begin": {
        this.txCommitLsn = event.commitLsn ?? walStart;
        this.txMeta = { at: event.commitTime ?? new Date().toISOString(), sequence: this.txCommitLsn };
        return;
      }
      case "change":
        return this.onChange(event);
      case "commit":
        this.lastCommitEnd = maxLsn(this.lastCommitEnd, event.endLsn ?? walStart);
        if (this.buffered === 0) return;
        // Write when the destination is free; while it is busy keep reading (the next batch grows) unless
        // the buffer is full.
        if (this.buffered >= this.maxBuffered) return this.flush();
        if (this.writes.length < this.writeSlots && (this.buffered >= this.batchChanges || Date.now() - this.lastFlush >= this.flushEveryMs)) return this.flush();
        return;
      case "truncate":
        for (const tbl of event.tables) {
          const s = this.byName.get(streamKey(tbl.schema, tbl.table));
          if (s && this.txCommitLsn >= s.savedLsn) {
            this.opts.log.warn("tap", `TRUNCATE of ${quoteIdent(tbl.schema)}.${quoteIdent(tbl.table)} at the source is not replicated: the destination rows are kept. Use Reset Keys on the table for a fresh copy.`);
          }
        }
        return;
      case "relation":
        return this.onRelation(event.relation);
      default:
        return;
    }
  }

  private onChange(event: TRowChange): void | Promise<void> {
    const s = this.byName.get(event.relKey);
    if (!s || this.txCommitLsn < s.savedLsn) return;
    const change = s.t.renames.size > 0 ? withCurrentNames(event, s.t.renames) : event;
    if (change.types) this.checkTypes(s.t, change.types);
    if (s.t.stopApplying) return;
    if (change.op === "insert" && !this.checkedColumns.has(change.columns)) {
      this.checkedColumns.add(change.columns);
      this.checkDropped(s.t, change);
    }
    s.t.buffer.add(change, this.txMeta);
    this.buffered++;
    this.changesSeen++;
    if (this.changesSeen === 1) return reachFaultPoint("changes-received").then(() => this.afterChange());
    return this.afterChange();
  }

  /** A transaction bigger than memory should hold: write what we have; its position is saved only once
   * its commit is reached (a crash replays it, and upserts in order converge). */
  private afterChange(): void | Promise<void> {
    if (this.buffered >= this.maxBuffered) return this.flush();
  }

  /** wal2json sends each column's type: a type that differs from the job's start is a schema change. */
  private checkTypes(t: TLogTable, types: Map<string, string>): void {
    for (const [col, type] of types) {
      const before = t.expectedTypes.get(col);
      if (before === undefined || before === type) continue;
      noteTypeChange(t, this.opts.log, col, before, type);
    }
  }

  private checkDropped(t: TLogTable, change: TRowChange): void {
    for (const c of t.spec.columns) {
      if (change.columns.includes(c.name) || t.noted.has(`dropped:${c.name}`)) continue;
      t.noted.add(`dropped:${c.name}`);
      this.opts.log.info("tap", `Column ${quoteIdent(c.name)} of ${quoteIdent(t.table.schema)}.${quoteIdent(t.table.name)} is no longer sent by the source (dropped?): new rows leave it NULL; the destination column is kept.`);
    }
  }

  /** pgoutput describes a relation before its first change and after every schema change. */
  private async onRelation(rel: TRelationInfo): Promise<void> {
    const s = this.byName.get(streamKey(rel.schema, rel.table));
    if (!s) return;
    const types = new Map<string, string>();
    for (const c of rel.columns) types.set(c.name, await this.typeName(c.typeOid, c.typeMod));
    this.checkTypes(s.t, types);
  }

  private async typeName(oid: number, mod: number): Promise<string> {
    const key = `${oid}:${mod}`;
    const known = this.typeNames.get(key);
    if (known) return known;
    const res = await this.opts.source.query<{ t: string }>(`SELECT format_type($1::oid, $2::int) AS t`, [oid, mod]);
    const name = res.rows[0]?.t ?? "text";
    this.typeNames.set(key, name);
    return name;
  }

  /** Nothing in flight and the server has decoded up to `serverLsn`: record it (bounded WAL on the source). */
  async onIdle(serverLsn: TLsn, final: boolean): Promise<void> {
    if (this.buffered > 0) await this.flush();
    await this.settle();
    if (serverLsn <= this.committedLsn()) return;
    if (!final && Date.now() - this.lastIdleSave < 10_000) return;
    this.lastIdleSave = Date.now();
    this.lastCommitEnd = maxLsn(this.lastCommitEnd, serverLsn);
    await this.flush();
    await this.settle();
  }

  async finish(): Promise<void> {
    await this.flush();
    await this.settle();
  }

  /**
   * Writes every table's buffered changes with the position of the last complete transaction. The
   * write runs in the background while the stream goes on filling the next batch (at most one write in
   * flight per destination connection: a slow destination still back-pressures the stream). Writes
   * commit in order: one on the spare connection merges only once the previous one has committed, and
   * fails if that one failed. Positions count as committed — and so may be acknowledged — only once
   * their write has committed.
   */
  async flush(): Promise<void> {
    const batch = await this.takeBatch();
    while (this.writes.length >= this.writeSlots) await this.writes[0]!.done;
    if (batch.length === 0) return;
    const loader = await this.freeLoader();
    // A write that failed meanwhile: nothing after it may commit (its position would pass rows lost).
    // settle() lets the others end (they fail too) and throws.
    if (this.failure) await this.settle();
    const prev = this.writes.at(-1);
    const lock: TWriteLock = [this.lockSpace, ++this.writesStarted | 0];
    const overlap = prev && this.keysApart(prev.batch, batch) ? prev : undefined;
    if (overlap) this.overlappedWrites++;
    const result = this.write(batch, loader, lock, prev?.result, overlap?.lock);
    const entry = {
      loader,
      batch,
      lock,
      result,
      done: result.then(
        () => undefined,
        (err: unknown) => {
          this.failure ??= err;
        },
      ),
    };
    if (this.writes.length === 0) this.writingSince = performance.now();
    this.writes.push(entry);
    void entry.done.finally(() => {
      this.writes = this.writes.filter((w) => w !== entry);
      if (this.writes.length === 0) this.applyMs += performance.now() - this.writingSince;
    });
  }

  /** Waits for the writes in flight; rethrows a failure. */
  async settle(): Promise<void> {
    while (this.writes.length > 0) await this.writes.at(-1)!.done;
    if (this.failure) throw this.failure;
  }

  /** The destination connections opened so far, and how many writes may be in flight. */
  private readonly loaders: TDestinationLoader[];
  private writeSlots: number;
  /** Writes in flight, oldest first: `result` rejects with the write's failure, `done` never rejects. */
  private writes: { loader: TDestinationLoader; batch: TBatchEntry[]; lock: TWriteLock; result: Promise<void>; done: Promise<void> }[] = [];

  /**
   * `next` may merge while `prev` is still being written: none of its tables changes a key `prev`
   * changes (so neither write waits for the other's rows), each by a key with one text per value.
   */
  private keysApart(prev: TBatchEntry[], next: TBatchEntry[]): boolean {
    const prevOf = new Map(prev.map((e) => [e.s, e]));
    for (const n of next) {
      if (n.groups.length === 0) continue;
      if (!n.keys || !this.oneTextKeys.has(n.s)) return false;
      const p = prevOf.get(n.s);
      if (!p || p.groups.length === 0) continue;
      if (!p.keys) return false;
      const [fewer, more] = p.keys.size <= n.keys.size ? [p.keys, n.keys] : [n.keys, p.keys];
      for (const k of fewer.keys()) if (more.has(k)) return false;
    }
    return true;
  }

  /** A connection no write in flight uses; the spare is opened the first time one is needed. */
  private async freeLoader(): Promise<TDestinationLoader> {
    const free = this.loaders.find((l) => !this.writes.some((w) => w.loader === l));
    if (free) return free;
    try {
      const spare = await this.opts.openSpare!();
      this.loaders.push(spare);
      return spare;
    } catch (err) {
      this.writeSlots = 1;
      this.opts.log.warn("target", `A second destination connection could not be opened (${err instanceof Error ? err.message : String(err)}): batches are written one after the other`);
      while (this.writes.length > 0) await this.writes[0]!.done;
      return this.opts.loader;
    }
  }

  /** Closes the connections the applier opened (the spare). */
  async close(): Promise<void> {
    for (const l of this.loaders.slice(1)) await l.close();
  }
  /** When the writes now in flight began (applyMs counts time with any write in flight once). */
  private writingSince = 0;
  private failure: unknown = null;

  /** Prepares the buffered changes (new columns, values read back from the source) and takes them out. */
  private async takeBatch(): Promise<TBatchEntry[]> {
    if (this.failure) throw this.failure;
    const upTo = this.lastCommitEnd;
    const batch: TBatchEntry[] = [];
    for (const s of this.opts.tables) {
      const hasChanges = s.t.buffer.size > 0;
      const newLsn = maxLsn(maxLsn(s.savedLsn, s.queuedLsn), upTo);
      if (!hasChanges && newLsn <= maxLsn(s.savedLsn, s.queuedLsn)) continue;
      let groups: TChangeGroup[] = [];
      let received = 0;
      if (hasChanges) {
        await this.addNewColumns(s.t);
        if (s.t.widen.size > 0) await this.settle().then(() => widenColumns(s.t, this.opts.source, this.opts.loader, this.opts.log));
        await this.fillMovedRows(s.t);
        await this.resolveAmbiguousNulls(s.t);
        received = s.t.buffer.received;
        // Every change of the batch was read from the slot by now: one extraction time for all of them.
        groups = s.t.buffer.drain(new Date().toISOString());
      }
      const state: TLogBasedState = { ...s.state, lsn: formatLsn(newLsn), columnTypes: Object.fromEntries(s.t.expectedTypes) };
      s.state = state;
      s.queuedLsn = newLsn;
      batch.push({ s, groups, received, state, lsn: newLsn, spec: { ...s.t.spec, columns: [...s.t.spec.columns] }, keys: hasChanges ? s.t.buffer.takeDrainedKeys() : null });
    }
    this.buffered = 0;
    this.lastFlush = Date.now();
    return batch;
  }

  /**
   * `previous`: the write before this one (on the other connection), which must commit first. With its
   * lock (`previousLock`: keys apart from it), this one merges meanwhile and waits only to commit. The
   * write's own lock is held throughout, for the write after it.
   */
  private async write(batch: TBatchEntry[], loader: TDestinationLoader, lock: TWriteLock, previous: Promise<void> | undefined, previousLock?: TWriteLock): Promise<void> {
    // Not awaited: the connection runs its queries in order, so the lock is taken before the write's
    // first statement, without a round trip of its own. Order itself never rests on it (see applyEntry).
    const locked = loader.lockWrite(lock).catch(() => undefined);
    try {
      for (const b of batch) {
        const { s } = b;
        if (b.groups.length > 0) {
          const res = await this.applyEntry(loader, b, previous, previousLock);
          s.t.totals.rowsInserted += res.rowsInserted;
          s.t.totals.rowsUpdated += res.rowsUpdated;
          s.t.totals.rowsDeleted += res.rowsDeleted;
          s.t.totals.rowsReceived += b.received;
        } else {
          // A position saved alone must not overtake the rows of an earlier write.
          if (previous) await previous;
          await loader.saveState(s.t.table.tableKey, stateRecord(b.state));
        }
        await this.opts.onStateCommitted(s.t.table.tableKey, b.state);
        this.opts.onProgress(s.t.table.tableKey, s.t.totals.rowsReceived);
      }
      if (batch.some((b) => b.groups.length > 0 && b.lsn > b.s.savedLsn)) await reachFaultPoint("changes-committed");
      // Only now may the slot be acknowledged up to these positions.
      for (const b of batch) b.s.savedLsn = maxLsn(b.s.savedLsn, b.lsn);
    } finally {
      // A connection that failed has lost the lock with its session.
      await locked;
      await loader.unlockWrite(lock).catch(() => undefined);
    }
  }

  /** One table's changes, in one destination transaction with its position. */
  private async applyEntry(loader: TDestinationLoader, b: TBatchEntry, previous: Promise<void> | undefined, previousLock: TWriteLock | undefined): Promise<TLoadResult> {
    // The buffer keeps one net change per key (keyed tables): the loader may skip de-duplication.
    const opts = { state: stateRecord(b.state), tableVersion: b.state.tableVersion, uniqueKeys: true };
    if (!previous || !previousLock) return loader.applyChangeGroups(b.spec, b.groups, { ...opts, mergeAfter: previous });
    try {
      return await loader.applyChangeGroups(b.spec, b.groups, { ...opts, commitAfter: { lock: previousLock, done: previous } });
    } catch (err) {
      // A unique index of the destination's own (not the key) can tie rows of the two writes together: a
      // value this batch sets is still held by a row the previous one changes (23505), or the two waited
      // for each other and PostgreSQL ended this one (40P01). In order, it may well fit: written again
      // once the previous write has ended.
      const code = (err as { code?: string }).code;
      if (code !== "23505" && code !== "40P01") throw err;
      this.opts.log.info("target", `A batch for ${b.s.t.table.tableKey} met the batch before it at the destination (${err instanceof Error ? err.message : String(err)}); it is written again after that one`);
      await previous;
      return loader.applyChangeGroups(b.spec, b.groups, opts);
    }
  }

  /** wal2json's NULL for NaN / ±Infinity: read the source row; a special value there is the real one. */
  private async resolveAmbiguousNulls(t: TLogTable): Promise<void> {
    const rows = t.buffer.ambiguousNulls();
    if (rows.length === 0 || t.spec.primaryKey.length === 0) return;
    const pk = t.spec.primaryKey;
    const cols = [...new Set(rows.flatMap((r) => r.columns))];
    const rel = `${quoteIdent(t.table.schema)}.${quoteIdent(t.table.name)}`;
    const keyArrays = pk.map((k) => rows.map((r) => r.key[k] ?? null));
    const join = pk.map((k, i) => `s.${quoteIdent(k)} = k.${quoteIdent(`k${i}`)}::${t.sourceTypes.get(k) ?? "text"}`).join(" AND ");
    const special = cols.map((c) => `s.${quoteIdent(c)}::text IN ('NaN', 'Infinity', '-Infinity')`).join(" OR ");
    const res = await this.opts.source.query<Record<string, string | null>>(
      `SELECT ${pk.map((k, i) => `s.${quoteIdent(k)}::text AS ${quoteIdent(`k${i}`)}`).join(", ")}, ${cols.map((c, i) => `s.${quoteIdent(c)}::text AS ${quoteIdent(`c${i}`)}`).join(", ")}
         FROM ${rel} s JOIN unnest(${pk.map((_, i) => `$${i + 1}::text[]`).join(", ")}) AS k(${pk.map((_, i) => quoteIdent(`k${i}`)).join(", ")}) ON ${join}
        WHERE ${special}`,
      keyArrays,
    );
    for (const row of res.rows) {
      const key = Object.fromEntries(pk.map((k, i) => [k, row[`k${i}`] ?? null]));
      cols.forEach((c, i) => {
        const v = row[`c${i}`];
        if (v === "NaN" || v === "Infinity" || v === "-Infinity") t.buffer.setValue(key, c, v);
      });
    }
  }

  /** Columns added at the source since the job started: added to the destination table first. */
  private async addNewColumns(t: TLogTable): Promise<void> {
    const known = new Set(t.spec.columns.map((c) => c.name));
    const fresh = t.buffer.columns().filter((c) => !known.has(c));
    if (fresh.length === 0) return;
    const live = await readSourceColumns(this.opts.source, t.table.schema, t.table.name);
    for (const name of fresh) {
      const col = live.find((c) => c.name === name);
      t.spec.columns.push({ name, type: col?.destinationType ?? "text" });
      if (col) {
        t.sourceTypes.set(name, col.sourceType);
        t.expectedTypes.set(name, col.sourceType);
      }
      this.opts.log.info("target", `Column ${quoteIdent(name)} was added at the source to ${quoteIdent(t.table.schema)}.${quoteIdent(t.table.name)}: adding it to the destination table as ${col?.destinationType ?? "text"}`);
    }
    t.buffer.setKnownColumns(t.spec.columns.map((c) => c.name));
    // DDL outside any batch's transaction: the write in flight shares the connection, and a statement
    // queued between its own would run inside it (and roll back with it).
    await this.settle();
    await this.opts.loader.ensureTable(t.spec);
  }

  /**
   * An update that changed the primary key does not carry its unchanged TOAST values: they are read
   * from the source row under the new key (the value as of now; later changes replay over it in order).
   */
  private async fillMovedRows(t: TLogTable): Promise<void> {
    const pending = t.buffer.pendingFills();
    if (pending.length === 0) return;
    const rel = `${quoteIdent(t.table.schema)}.${quoteIdent(t.table.name)}`;
    for (const { id, fill } of pending) {
      const keys = Object.keys(fill.key);
      const where = keys.map((k, i) => `${quoteIdent(k)}::text = $${i + 1}`).join(" AND ");
      const res = await this.opts.source.query<Record<string, string | null>>(
        `SELECT ${fill.columns.map((c) => `${quoteIdent(c)}::text AS ${quoteIdent(c)}`).join(", ")} FROM ${rel} WHERE ${where}`,
        keys.map((k) => fill.key[k]),
      );
      const row = res.rows[0];
      if (row) t.buffer.applyFill(id, row);
    }
  }
}
