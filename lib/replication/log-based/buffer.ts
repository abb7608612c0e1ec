import type { TChangeGroup, TChangeRow } from "@/lib/connectors/postgres/destination";
import { BINARY_TAIL_BYTES, binaryStagingTail } from "@/lib/connectors/postgres/destination/change-staging";
import { NO_VALUES, readChangeValues, type TRowChange, type TValue } from "./changes";
import { keyIdOf, readArenaBinaryRow, readArenaRow, RowArena, type TKeyId, type TRawRelation, type TRawTuple } from "./row-arena";

type TValues = Record<string, string | null>;

/** An update that moved a row to a new key without sending its unchanged TOAST values. */
export type TPendingFill = { key: TValues; columns: string[] };

/** The commit a change belongs to: one object per source transaction, shared by its changes. */
export type TChangeMeta = { at: string; sequence: bigint };

/**
 * Columns of rows kept in the arena: their names, each one's registry index and, for rows kept as COPY
 * BINARY fields, each one's type (to read a row back); null for COPY text rows.
 */
type TArenaLayout = { id: number; sourceCols: string[]; at: number[]; types: Int32Array | null };

/** How a relation's tuples go into the arena (one per relation description); binary rows delete by `keyLayout`. */
type TArenaPlan = { width: number; emit: Int32Array; keyPos: Int32Array; layout: TArenaLayout; keyLayout: TArenaLayout; binary: boolean };

/**
 * A buffered change; `values` are indexed by the buffer's column registry (undefined: not sent). With a
 * `layout`, the row is instead the arena's bytes [start, end) and `values` is empty until the row is read
 * back (materialize): the COPY text of the layout's columns or, for a binary layout, a COPY BINARY row
 * (`framed`: the whole staging row; else its field count and fields, the _sdc fields to be added).
 * `born`: the key's first change in this batch was an insert (see TChangeGroup.insertOnly).
 */
type TEntry = TChangeRow & { kind: "upsert" | "delete"; values: TValue[]; fill: TPendingFill | null; layout: TArenaLayout | null; start: number; end: number; framed: boolean; born: boolean };

/**
 * The changes of one table received since the last commit to the destination. Keyed tables keep one net
 * change per key (later changes merged over earlier ones, in order), so a batch of many changes becomes a
 * few set-based merges; keyless tables keep every change in order (they are appended).
 *
 * The common pgoutput change (an insert, an update sending every column with its key unchanged, a delete
 * by key) is copied from its message straight into an arena as the COPY text the loader sends: no string
 * or array per value, and a superseded row is only dead bytes. Every other change (unchanged TOAST values,
 * a key change, wal2json) keeps its values in an array indexed by a per-table column registry (names are
 * mapped once per relation description); an arena row it must merge with is read back first. drain()
 * hands the entries to the loader as they are.
 */
export class TableChangeBuffer {
  private byKey = new Map<TKeyId, TEntry>();
  private list: TEntry[] = [];
  /** Column names, by registry index; the primary key's columns come first. */
  private readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  /**
   * A relation's column list → registry index per column (-1: not replicated); null when every column
   * lands at its own position (the usual case: the change's array is then used as it is).
   */
  private mappings = new WeakMap<readonly string[], Int32Array | null>();
  private readonly pkCount: number;
  private arena = new RowArena();
  private plans = new WeakMap<readonly string[], TArenaPlan | null>();
  private layoutCount = 0;
  /** Deletes by key alone: the key columns. */
  private readonly keyLayout: TArenaLayout;
  /** Changes received (before merging), for the loading report and batching. */
  received = 0;
  /** The keys of the changes the last drain() took (keyed tables), until takeDrainedKeys(). */
  private drainedKeys: ReadonlyMap<TKeyId, unknown> | null = null;

  /** The keys the last drain() took, once (null for a keyless table): the buffer keeps no hold on them. */
  takeDrainedKeys(): ReadonlyMap<TKeyId, unknown> | null {
    const keys = this.drainedKeys;
    this.drainedKeys = null;
    return keys;
  }

  constructor(
    readonly primaryKey: string[],
    /** Columns that are not replicated (deselected); dropped from every change. */
    private readonly skipColumns: ReadonlySet<string>,
  ) {
    for (const k of primaryKey) this.register(k);
    this.pkCount = primaryKey.length;
    this.keyLayout = { id: this.layoutCount++, sourceCols: [...primaryKey], at: primaryKey.map((_, i) => i), types: null };
  }

  /**
   * A binary stream: the columns whose destination column reads their binary values, by the type they
   * are read as. A relation whose replicated columns all still have these types keeps its rows as COPY
   * BINARY rows.
   */
  private binaryTypes: ReadonlyMap<string, number> | null = null;

  /**
   * Starts over for a new read of the stream: every buffered change is dropped (the read replays what
   * the destination does not hold) and rows are kept as the stream sends them (`binaryTypes`: binary).
   */
  restart(binaryTypes: ReadonlyMap<string, number> | null): void {
    this.binaryTypes = binaryTypes;
    this.plans = new WeakMap();
    this.lastColumns = null;
    this.lastPlan = null;
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
    return this.pkCount > 0 ? this.byKey.size : this.list.length;
  }

  private register(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.push(name) - 1;
      this.index.set(name, i);
    }
    return i;
  }

  private mapping(columns: readonly string[]): Int32Array | null {
    let m = this.mappings.get(columns);
    if (m === undefined) {
      const map = Int32Array.from(columns, (c) => (this.skipColumns.has(c) ? -1 : this.register(c)));
      m = map.every((to, i) => to === i) ? null : map;
      this.mappings.set(columns, m);
    }
    return m;
  }

  /** A change's values (aligned with its relation's columns, owned by the buffer from now) → registry-indexed. */
  private project(map: Int32Array | null, values: TValue[]): TValue[] {
    if (map === null) return values;
    const out = new Array<TValue>(this.names.length);
    const n = Math.min(map.length, values.length);
    for (let i = 0; i < n; i++) {
      const to = map[i]!;
      if (to >= 0) out[to] = values[i];
    }
    return out;
  }

  /** The key's identity (see keyIdOf; several columns: one string, as text values cannot contain NUL); null if a key column is missing. */
  private keyId(values: readonly TValue[]): TKeyId | null {
    const first = values[0];
    if (first === undefined) return null;
    if (this.pkCount === 1) return first === null ? "\u0000" : keyIdOf(first);
    let id = first ?? "\u0000";
    for (let i = 1; i < this.pkCount; i++) {
      const v = values[i];
      if (v === undefined) return null;
      id += `\u0000${v ?? "\u0000"}`;
    }
    return id;
  }

  private keyRecord(values: readonly TValue[]): TValues {
    const key: TValues = Object.create(null) as TValues;
    for (let i = 0; i < this.pkCount; i++) key[this.names[i]!] = values[i] ?? null;
    return key;
  }

  /** How a relation's tuples go into the arena; null when they cannot (keyless table, key not among its columns). */
  private planFor(columns: readonly string[], rel: TRawRelation): TArenaPlan | null {
    // Consecutive changes mostly share their relation's column list: no map lookup for them.
    if (columns === this.lastColumns) return this.lastPlan;
    let plan = this.plans.get(columns);
    if (plan === undefined) plan = this.makePlan(columns, rel);
    this.lastColumns = columns;
    this.lastPlan = plan;
    return plan;
  }

  private lastColumns: readonly string[] | null = null;
  private lastPlan: TArenaPlan | null = null;

  private makePlan(columns: readonly string[], rel: TRawRelation): TArenaPlan | null {
    let plan: TArenaPlan | null = null;
    if (this.pkCount > 0) {
      const map = this.mapping(columns);
      const reg = (i: number) => (map === null ? i : map[i]!);
      const keyPos = Int32Array.from(this.primaryKey, (k) => columns.indexOf(k));
      if (keyPos.every((i) => i >= 0 && reg(i) >= 0)) {
        const emit = Int32Array.from(columns.keys()).filter((i) => reg(i) >= 0);
        // Binary rows go into staging columns of the destination's types: only while those read the source's values.
        const binary = this.binaryTypes !== null && [...emit].every((i) => this.binaryTypes!.get(columns[i]!) === rel.typeOids[i]);
        const layout: TArenaLayout = { id: this.layoutCount++, sourceCols: Array.from(emit, (i) => columns[i]!), at: Array.from(emit, reg), types: binary ? Int32Array.from(emit, (i) => rel.typeOids[i]!) : null };
        const keyLayout: TArenaLayout = binary ? { id: this.layoutCount++, sourceCols: [...this.primaryKey], at: this.primaryKey.map((_, i) => i), types: Int32Array.from(keyPos, (i) => rel.typeOids[i]!) } : this.keyLayout;
        plan = { width: columns.length, emit, keyPos, layout, keyLayout, binary };
      }
    }
    this.plans.set(columns, plan);
    return plan;
  }

  /**
   * The arena path: an insert or an update whose tuple carries every column (so the key did not change
   * and nothing is unchanged TOAST), or a delete by key. False: the change needs the general path.
   */
  private addRaw(change: TRowChange, raw: TRawTuple, meta: TChangeMeta): boolean {
    const plan = this.planFor(change.columns, raw.rel);
    if (plan === null) return false;
    // A delete's old key is the replica identity: without every key column in it (an identity on
    // another index) the general path says so.
    if (raw.keyOnly) for (const i of plan.keyPos) if (!raw.rel.isKey[i]) return false;
    if (!this.arena.scan(raw, plan.width, plan.binary)) return false;
    const id = this.arena.keyId(plan.keyPos);
    const prev = this.byKey.get(id);
    if (change.op === "delete") {
      if (prev && prev.layout === null) return false;
      if (prev) {
        // A row inserted or changed earlier in this batch lands with those values and the delete mark;
        // a binary row keeps its count and fields, and gets this change's _sdc fields when encoded.
        const end = prev.framed ? prev.end - BINARY_TAIL_BYTES[prev.kind] : prev.end;
        this.byKey.set(id, this.arenaEntry("delete", prev.layout!, prev.start, end, meta, false));
      } else this.byKey.set(id, this.arenaEntry("delete", plan.keyLayout, this.write(plan, plan.keyPos, "delete", meta), this.arena.length, meta, plan.binary));
      return true;
    }
    // An update over an earlier change of another shape merges column by column: the general path.
    if (change.op === "update" && prev?.kind === "upsert" && prev.layout !== plan.layout) return false;
    const start = this.write(plan, plan.emit, "upsert", meta);
    const entry = this.arenaEntry("upsert", plan.layout, start, this.arena.length, meta, plan.binary);
    entry.born = change.op === "insert" ? prev === undefined : prev?.kind === "upsert" && prev.born;
    this.byKey.set(id, entry);
    return true;
  }

  /** Binary rows are written whole (staging row framing and _sdc fields included): encoding then copies nothing. */
  private write(plan: TArenaPlan, positions: Int32Array, kind: TEntry["kind"], meta: TChangeMeta): number {
    if (!plan.binary) return this.arena.write(positions);
    return this.arena.writeBinary(positions, positions.length + (kind === "delete" ? 2 : 1), this.tails.of(kind, meta));
  }

  /** The _sdc fields of binary rows, made once per transaction. */
  private readonly tails = new TransactionTails();

  private arenaEntry(kind: TEntry["kind"], layout: TArenaLayout, start: number, end: number, meta: TChangeMeta, framed: boolean): TEntry {
    return { kind, values: NO_VALUES, sequence: meta.sequence, deletedAt: kind === "delete" ? meta.at : null, fill: null, layout, start, end, framed, born: false };
  }

  /** An arena row read back into registry-indexed values (a change of another shape must merge with it). */
  private materialize(e: TEntry): void {
    const layout = e.layout;
    if (!layout) return;
    const read = layout.types ? readArenaBinaryRow(this.arena.buf, e.start, layout.types) : readArenaRow(this.arena.buf, e.start, e.end);
    const values = new Array<TValue>(this.names.length);
    for (let j = 0; j < layout.at.length; j++) values[layout.at[j]!] = read[j];
    e.values = values;
    e.layout = null;
    e.framed = false;
  }

  /** The buffered change of a key, with its values readable. */
  private entryOf(id: TKeyId): TEntry | undefined {
    const e = this.byKey.get(id);
    if (e?.layout) this.materialize(e);
    return e;
  }

  /** Adds a change; `meta` is its transaction's (commit time for _sdc_deleted_at, position for ordering). */
  add(change: TRowChange, meta: TChangeMeta): void {
    this.received++;
    if (change.raw) {
      if (this.addRaw(change, change.raw, meta)) return;
      readChangeValues(change);
    }
    const map = this.mapping(change.columns);
    if (this.pkCount === 0) {
      if (change.op === "delete") this.list.push(this.entry("delete", this.project(map, change.identity ?? change.values), meta));
      else this.list.push(this.entry("upsert", this.project(map, change.values), meta));
      return;
    }
    if (change.op === "delete") {
      const key = this.project(map, change.identity ?? []);
      const id = this.keyId(key);
      if (id === null) throw new Error(`A delete on ${change.schema}.${change.table} arrived without its primary key`);
      this.markDeleted(id, key, meta);
      return;
    }
    const values = this.project(map, change.values);
    const newId = this.keyId(values);
    if (newId === null) throw new Error(`A change on ${change.schema}.${change.table} arrived without its primary key`);
    let fill: TPendingFill | null = null;
    if (change.op === "update" && change.identity) {
      const old = this.project(map, change.identity);
      const oldId = this.keyId(old);
      if (oldId !== null && oldId !== newId) {
        // The key changed: the old row is gone at the source; the new one may lack unchanged TOAST values.
        const before = this.entryOf(oldId);
        this.markDeleted(oldId, old, meta);
        if (before?.kind === "upsert") for (let i = 0; i < before.values.length; i++) if (values[i] === undefined) values[i] = before.values[i];
        const missing = this.knownColumns.filter((c) => values[this.index.get(c)!] === undefined);
        if (missing.length > 0) {
          fill = { key: this.keyRecord(values), columns: missing };
          this.fillsAsked++;
        }
      }
    }
    const prev = this.entryOf(newId);
    if (prev && prev.kind === "upsert" && change.op === "update") {
      // Later values win; columns this update did not send keep the earlier change's value.
      for (let i = 0; i < values.length; i++) if (values[i] !== undefined) prev.values[i] = values[i];
      prev.sequence = meta.sequence;
      prev.fill ??= fill;
    } else {
      const e = this.entry("upsert", values, meta);
      e.fill = fill;
      this.byKey.set(newId, e);
    }
  }

  private entry(kind: TEntry["kind"], values: TValue[], meta: TChangeMeta): TEntry {
    return { kind, values, sequence: meta.sequence, deletedAt: kind === "delete" ? meta.at : null, fill: null, layout: null, start: 0, end: 0, framed: false, born: false };
  }

  /** The table's replicated columns, to tell which ones a key-moving update did not send. */
  private knownColumns: string[] = [];
  setKnownColumns(columns: string[]): void {
    this.knownColumns = columns.filter((c) => !this.skipColumns.has(c));
    for (const c of this.knownColumns) this.register(c);
  }

  private markDeleted(id: TKeyId, key: readonly TValue[], meta: TChangeMeta): void {
    const prev = this.entryOf(id);
    // A row inserted or changed earlier in this batch lands with those values and the delete mark.
    const values = prev ? prev.values : new Array<TValue>(this.names.length);
    for (let i = 0; i < this.pkCount; i++) values[i] = key[i];
    this.byKey.set(id, this.entry("delete", values, meta));
  }

  /** Key moves that asked for a fill since the last drain (most batches have none: no scan then). */
  private fillsAsked = 0;

  /** Upserts still missing values after a key change; filled from the source before applying. */
  pendingFills(): { id: TKeyId; fill: TPendingFill }[] {
    const out: { id: TKeyId; fill: TPendingFill }[] = [];
    if (this.fillsAsked === 0) return out;
    for (const [id, e] of this.byKey) {
      if (!e.fill || e.kind !== "upsert") continue;
      const still = e.fill.columns.filter((c) => e.values[this.index.get(c)!] === undefined);
      if (still.length > 0) out.push({ id, fill: { key: e.fill.key, columns: still } });
    }
    return out;
  }

  applyFill(id: TKeyId, values: TValues): void {
    const e = this.entryOf(id);
    if (!e || e.kind !== "upsert") return;
    for (const [k, v] of Object.entries(values)) {
      const i = this.register(k);
      if (e.values[i] === undefined) e.values[i] = v;
    }
  }

  /**
   * wal2json writes NaN and ±Infinity of numeric and float columns as JSON null: a NULL there is
   * ambiguous. These columns' NULLs are checked against the source before applying.
   */
  private ambiguous: string[] = [];
  setAmbiguousNullColumns(columns: string[]): void {
    this.ambiguous = columns;
  }

  /** Upserts (by key) holding a NULL that may stand for NaN / ±Infinity. */
  ambiguousNulls(): { key: TValues; columns: string[] }[] {
    if (this.ambiguous.length === 0) return [];
    const at = this.ambiguous.map((c) => [c, this.register(c)] as const);
    const out: { key: TValues; columns: string[] }[] = [];
    for (const e of this.byKey.values()) {
      if (e.kind !== "upsert") continue;
      this.materialize(e);
      const cols = at.filter(([, i]) => e.values[i] === null).map(([c]) => c);
      if (cols.length > 0) out.push({ key: this.keyRecord(e.values), columns: cols });
    }
    return out;
  }

  /** Sets a column of a buffered upsert (a value read back from the source). */
  setValue(key: TValues, column: string, value: string): void {
    const id = this.keyId(this.primaryKey.map((k) => key[k]));
    const e = id === null ? undefined : this.entryOf(id);
    if (e?.kind === "upsert") e.values[this.register(column)] = value;
  }

  /** Every replicated column a change has carried (or the table is known to have). */
  columns(): readonly string[] {
    return this.names;
  }

  /**
   * The net changes as loader groups: keyed tables grouped by kind and sent columns (one merge per group;
   * at most one change per key, so order between groups does not matter); keyless tables in order, split
   * where the kind or the sent columns change.
   */
  drain(extractedAt: string): TChangeGroup[] {
    const groups: TChangeGroup[] = [];
    const bySig = new Map<string | number, TChangeGroup>();
    let last: TChangeGroup | null = null;
    let lastSig: string | number = -1;
    const n = this.names.length;
    // The kind and which columns were sent: a number while it fits 31 bits (no string per entry).
    const signature = (e: TEntry): string | number => {
      if (n < 31) {
        let sig = e.kind === "delete" ? 1 : 0;
        for (let i = 0; i < n; i++) if (e.values[i] !== undefined) sig |= 2 << i;
        return sig;
      }
      let sig = e.kind === "delete" ? "d" : "u";
      for (let i = 0; i < n; i++) sig += e.values[i] === undefined ? "0" : "1";
      return sig;
    };
    const arenaGroups = new Map<number, TChangeGroup>();
    const arena = this.arena.buf;
    const take = (e: TEntry, ordered: boolean) => {
      if (e.layout) {
        // Arena rows: one group per layout and kind (new keys apart); the loader copies their bytes as they are.
        const insertOnly = e.kind === "upsert" && e.born;
        const k = e.layout.id * 3 + (e.kind === "delete" ? 1 : insertOnly ? 2 : 0);
        let ag = arenaGroups.get(k);
        if (!ag) {
          ag = { kind: e.kind, sourceCols: e.layout.sourceCols, at: e.layout.at, rows: [], extractedAt, arena, binary: e.layout.types !== null, insertOnly };
          arenaGroups.set(k, ag);
          groups.push(ag);
        }
        ag.rows.push(e);
        return;
      }
      const sig = signature(e);
      let g = ordered ? (sig === lastSig ? last : null) : bySig.get(sig);
      if (!g) {
        const at: number[] = [];
        for (let i = 0; i < this.names.length; i++) if (e.values[i] !== undefined) at.push(i);
        g = { kind: e.kind, sourceCols: at.map((i) => this.names[i]!), at, rows: [], extractedAt };
        groups.push(g);
        if (ordered) {
          last = g;
          lastSig = sig;
        } else bySig.set(sig, g);
      }
      g.rows.push(e);
    };
    if (this.pkCount === 0) for (const e of this.list) take(e, true);
    else for (const e of this.byKey.values()) take(e, false);
    this.drainedKeys = this.pkCount > 0 ? this.byKey : null;
    // The groups keep the old arena; the next batch starts about as big as this one.
    this.empty(new RowArena(Math.min(Math.max(64 * 1024, this.arena.length), 16 * 1024 * 1024)));
    return groups;
  }
}

/** binaryStagingTail of the last transaction seen, per kind (a transaction's changes share it). */
class TransactionTails {
  private meta: TChangeMeta | null = null;
  private upsert: Buffer = Buffer.alloc(0);
  private delete: Buffer = Buffer.alloc(0);
  of(kind: TEntry["kind"], meta: TChangeMeta): Buffer {
    if (meta !== this.meta) {
      this.meta = meta;
      this.upsert = binaryStagingTail("upsert", meta.sequence, null);
      this.delete = binaryStagingTail("delete", meta.sequence, meta.at);
    }
    return kind === "delete" ? this.delete : this.upsert;
  }
}
