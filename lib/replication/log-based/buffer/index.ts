import type { TChangeGroup } from "@/lib/connectors/types";
import { BINARY_TAIL_BYTES } from "@/lib/connectors/postgres/destination/change-staging";
import { readChangeValues, type TRowChange, type TValue } from "../decode/events";
import type { TRawTuple } from "../decode/raw-tuples";
import { RowArena, type TKeyId } from "./row-arena";
import { ArenaPlans, type TArenaPlan } from "./arena-plan";
import { groupEntries } from "./drain";
import { arenaEntry, materialize, valuesEntry, type TArenaEntry, type TChangeMeta, type TEntry, type TPendingFill, type TValuesEntry } from "./entry";
import { ColumnRegistry, type TValues } from "./registry";
import { TransactionTails } from "./transaction-tails";

export type { TChangeMeta, TPendingFill } from "./entry";

/**
 * The changes of one table received since the last commit to the destination. Keyed tables keep one net
 * change per key (later changes merged over earlier ones, in order), so a batch of many changes becomes a
 * few set-based merges; keyless tables keep every change in order (they are appended).
 *
 * The common pgoutput change (an insert, an update sending every column with its key unchanged, a delete
 * by key) is copied from its message straight into an arena as the COPY text the loader sends: no string
 * or array per value, and a superseded row is only dead bytes (arena-plan.ts). Every other change
 * (unchanged TOAST values, a key change, wal2json) keeps its values in an array indexed by a per-table
 * column registry (registry.ts); an arena row it must merge with is read back first. drain() hands the
 * entries to the loader as they are (drain.ts); the source repairs (fills, ambiguous NULLs) read and
 * set values through this class.
 */
export class TableChangeBuffer {
  private byKey = new Map<TKeyId, TEntry>();
  private list: TValuesEntry[] = [];
  private readonly reg: ColumnRegistry;
  private readonly plans: ArenaPlans;
  private arena = new RowArena();
  /** The _sdc fields of binary rows, made once per transaction. */
  private readonly tails = new TransactionTails();
  /** Changes received (before merging), for the loading report and batching. */
  received = 0;
  /** The keys of the changes the last drain() took (keyed tables), until takeDrainedKeys(). */
  private drainedKeys: ReadonlyMap<TKeyId, unknown> | null = null;
  /** The table's replicated columns, to tell which ones a key-moving update did not send. */
  private knownColumns: string[] = [];
  /** Key moves that asked for a fill since the last drain (most batches have none: no scan then). */
  private fillsAsked = 0;
  /** wal2json's NaN / ±Infinity arrive as NULL in these columns (see ambiguousNulls). */
  private ambiguous: string[] = [];

  constructor(
    readonly primaryKey: string[],
    /** Columns that are not replicated (deselected); dropped from every change. */
    skipColumns: ReadonlySet<string>,
  ) {
    this.reg = new ColumnRegistry(primaryKey, skipColumns);
    this.plans = new ArenaPlans(this.reg);
  }

  /** The keys the last drain() took, once (null for a keyless table): the buffer keeps no hold on them. */
  takeDrainedKeys(): ReadonlyMap<TKeyId, unknown> | null {
    const keys = this.drainedKeys;
    this.drainedKeys = null;
    return keys;
  }

  /**
   * Starts over for a new read of the stream: every buffered change is dropped (the read replays what
   * the destination does not hold) and rows are kept as the stream sends them (`binaryTypes`: binary).
   */
  restart(binaryTypes: ReadonlyMap<string, number> | null): void {
    this.plans.restart(binaryTypes);
    this.empty(new RowArena());
  }

  /** Drops the buffered changes (drained or discarded); rows go on in `arena`. */
  private empty(arena: RowArena): void {
    this.byKey = new Map();
    this.list = [];
    this.arena = arena;
    this.received = 0;
    this.fillsAsked = 0;
  }

  get size(): number {
    return this.reg.pkCount > 0 ? this.byKey.size : this.list.length;
  }

  /**
   * The arena path: an insert or an update whose tuple carries every column (so the key did not change
   * and nothing is unchanged TOAST), or a delete by key. False: the change needs the general path.
   */
  private addRaw(change: TRowChange, raw: TRawTuple, meta: TChangeMeta): boolean {
    const plan = this.plans.planFor(change.columns, raw.rel);
    if (plan === null) return false;
    // A delete's old key is the replica identity: without every key column in it (an identity on
    // another index) the general path says so.
    if (raw.keyOnly) for (const i of plan.keyPos) if (!raw.rel.isKey[i]) return false;
    if (!this.arena.scan(raw, plan.width, plan.binary)) return false;
    const id = this.arena.keyId(plan.keyPos);
    const prev = this.byKey.get(id);
    if (change.op === "delete") {
      if (prev?.form === "values") return false;
      if (prev) {
        // A row inserted or changed earlier in this batch lands with those values and the delete mark;
        // a binary row keeps its count and fields, and gets this change's _sdc fields when encoded.
        const end = prev.framed ? prev.end - BINARY_TAIL_BYTES[prev.kind] : prev.end;
        this.byKey.set(id, arenaEntry("delete", prev.layout, prev.start, end, meta, false));
      } else this.byKey.set(id, arenaEntry("delete", plan.keyLayout, this.write(plan, plan.keyPos, "delete", meta), this.arena.length, meta, plan.binary));
      return true;
    }
    // An update over an earlier change of another shape merges column by column: the general path.
    if (change.op === "update" && prev?.kind === "upsert" && (prev.form === "values" || prev.layout !== plan.layout)) return false;
    const start = this.write(plan, plan.emit, "upsert", meta);
    const entry = arenaEntry("upsert", plan.layout, start, this.arena.length, meta, plan.binary);
    entry.born = change.op === "insert" ? prev === undefined : prev?.kind === "upsert" && prev.form === "arena" && prev.born;
    this.byKey.set(id, entry);
    return true;
  }

  /** Binary rows are written whole (staging row framing and _sdc fields included): encoding then copies nothing. */
  private write(plan: TArenaPlan, positions: Int32Array, kind: TEntry["kind"], meta: TChangeMeta): number {
    if (!plan.binary) return this.arena.write(positions);
    return this.arena.writeBinary(positions, positions.length + (kind === "delete" ? 2 : 1), this.tails.of(kind, meta));
  }

  /** The buffered change of a key, with its values readable. */
  private entryOf(id: TKeyId): TValuesEntry | undefined {
    const e = this.byKey.get(id);
    return e?.form === "arena" ? this.readBack(id, e) : e;
  }

  /** An arena row read back into values, in its place (a Map keeps a replaced entry's position). */
  private readBack(id: TKeyId, e: TArenaEntry): TValuesEntry {
    const values = materialize(e, this.arena.buf, this.reg.names.length);
    this.byKey.set(id, values);
    return values;
  }

  /** Adds a change; `meta` is its transaction's (commit time for _sdc_deleted_at, position for ordering). */
  add(change: TRowChange, meta: TChangeMeta): void {
    this.received++;
    if (change.raw) {
      if (this.addRaw(change, change.raw, meta)) return;
      readChangeValues(change);
    }
    const reg = this.reg;
    const map = reg.mapping(change.columns);
    if (reg.pkCount === 0) {
      if (change.op === "delete") this.list.push(valuesEntry("delete", reg.project(map, change.identity ?? change.values), meta));
      else this.list.push(valuesEntry("upsert", reg.project(map, change.values), meta));
      return;
    }
    if (change.op === "delete") {
      const key = reg.project(map, change.identity ?? []);
      const id = reg.keyId(key);
      if (id === null) throw new Error(`A delete on ${change.schema}.${change.table} arrived without its primary key`);
      this.markDeleted(id, key, meta);
      return;
    }
    const values = reg.project(map, change.values);
    const newId = reg.keyId(values);
    if (newId === null) throw new Error(`A change on ${change.schema}.${change.table} arrived without its primary key`);
    const fill = change.op === "update" && change.identity ? this.moveKey(reg.project(map, change.identity), newId, values, meta) : null;
    const prev = this.entryOf(newId);
    if (prev && prev.kind === "upsert" && change.op === "update") {
      // Later values win; columns this update did not send keep the earlier change's value.
      for (let i = 0; i < values.length; i++) if (values[i] !== undefined) prev.values[i] = values[i];
      prev.sequence = meta.sequence;
      prev.fill ??= fill;
    } else {
      const e = valuesEntry("upsert", values, meta);
      e.fill = fill;
      this.byKey.set(newId, e);
    }
  }

  /**
   * An update whose key changed: the old row is gone at the source; the new one may lack unchanged TOAST
   * values (taken from the old key's buffered change, else a fill read from the source before applying).
   */
  private moveKey(old: TValue[], newId: TKeyId, values: TValue[], meta: TChangeMeta): TPendingFill | null {
    const oldId = this.reg.keyId(old);
    if (oldId === null || oldId === newId) return null;
    const before = this.entryOf(oldId);
    this.markDeleted(oldId, old, meta);
    if (before?.kind === "upsert") for (let i = 0; i < before.values.length; i++) if (values[i] === undefined) values[i] = before.values[i];
    const missing = this.knownColumns.filter((c) => values[this.reg.at(c)!] === undefined);
    if (missing.length === 0) return null;
    this.fillsAsked++;
    return { key: this.reg.keyRecord(values), columns: missing };
  }

  setKnownColumns(columns: string[]): void {
    this.knownColumns = columns.filter((c) => !this.reg.skipColumns.has(c));
    for (const c of this.knownColumns) this.reg.register(c);
  }

  private markDeleted(id: TKeyId, key: readonly TValue[], meta: TChangeMeta): void {
    const prev = this.entryOf(id);
    // A row inserted or changed earlier in this batch lands with those values and the delete mark.
    const values = prev ? prev.values : new Array<TValue>(this.reg.names.length);
    for (let i = 0; i < this.reg.pkCount; i++) values[i] = key[i];
    this.byKey.set(id, valuesEntry("delete", values, meta));
  }

  /** Upserts still missing values after a key change; filled from the source before applying. */
  pendingFills(): { id: TKeyId; fill: TPendingFill }[] {
    const out: { id: TKeyId; fill: TPendingFill }[] = [];
    if (this.fillsAsked === 0) return out;
    for (const [id, e] of this.byKey) {
      if (e.form !== "values" || !e.fill || e.kind !== "upsert") continue;
      const still = e.fill.columns.filter((c) => e.values[this.reg.at(c)!] === undefined);
      if (still.length > 0) out.push({ id, fill: { key: e.fill.key, columns: still } });
    }
    return out;
  }

  applyFill(id: TKeyId, values: TValues): void {
    const e = this.entryOf(id);
    if (!e || e.kind !== "upsert") return;
    for (const [k, v] of Object.entries(values)) {
      const i = this.reg.register(k);
      if (e.values[i] === undefined) e.values[i] = v;
    }
  }

  /**
   * wal2json writes NaN and ±Infinity of numeric and float columns as JSON null: a NULL there is
   * ambiguous. These columns' NULLs are checked against the source before applying.
   */
  setAmbiguousNullColumns(columns: string[]): void {
    this.ambiguous = columns;
  }

  /** Upserts (by key) holding a NULL that may stand for NaN / ±Infinity. */
  ambiguousNulls(): { key: TValues; columns: string[] }[] {
    if (this.ambiguous.length === 0) return [];
    const at = this.ambiguous.map((c) => [c, this.reg.register(c)] as const);
    const out: { key: TValues; columns: string[] }[] = [];
    for (const [id, entry] of this.byKey) {
      if (entry.kind !== "upsert") continue;
      const e = entry.form === "arena" ? this.readBack(id, entry) : entry;
      const cols = at.filter(([, i]) => e.values[i] === null).map(([c]) => c);
      if (cols.length > 0) out.push({ key: this.reg.keyRecord(e.values), columns: cols });
    }
    return out;
  }

  /** Sets a column of a buffered upsert (a value read back from the source). */
  setValue(key: TValues, column: string, value: string): void {
    const id = this.reg.keyId(this.primaryKey.map((k) => key[k]));
    const e = id === null ? undefined : this.entryOf(id);
    if (e?.kind === "upsert") e.values[this.reg.register(column)] = value;
  }

  /** Every replicated column a change has carried (or the table is known to have). */
  columns(): readonly string[] {
    return this.reg.names;
  }

  /** The net changes as loader groups (see groupEntries); the buffer starts empty. */
  drain(extractedAt: string): TChangeGroup[] {
    const keyed = this.reg.pkCount > 0;
    const groups = groupEntries(keyed ? this.byKey.values() : this.list, !keyed, this.reg.names, this.arena.buf, extractedAt);
    this.drainedKeys = keyed ? this.byKey : null;
    // The groups keep the old arena; the next batch starts about as big as this one.
    this.empty(new RowArena(Math.min(Math.max(64 * 1024, this.arena.length), 16 * 1024 * 1024)));
    return groups;
  }
}
