import type { TChange } from "@/lib/destination/loader";
import type { TRowChange } from "./changes";

type TValues = Record<string, string | null>;

/** An update that moved a row to a new key without sending its unchanged TOAST values. */
export type TPendingFill = { key: TValues; columns: string[] };

type TEntry = { change: TChange; fill: TPendingFill | null };

/**
 * The changes of one table received since the last commit to the destination. Keyed tables keep one net
 * change per key (later changes merged over earlier ones, in order), so a batch of many changes becomes a
 * few set-based merges; keyless tables keep every change in order (they are appended).
 */
export class TableChangeBuffer {
  private byKey = new Map<string, TEntry>();
  private list: TChange[] = [];
  /** Changes received (before merging), for the loading report and batching. */
  received = 0;

  constructor(
    readonly primaryKey: string[],
    /** Columns that are not replicated (deselected); dropped from every change. */
    private readonly skipColumns: ReadonlySet<string>,
  ) {}

  get size(): number {
    return this.primaryKey.length > 0 ? this.byKey.size : this.list.length;
  }

  private filter(values: Map<string, string | null>): TValues {
    const out: TValues = Object.create(null) as TValues;
    for (const [k, v] of values) if (!this.skipColumns.has(k)) out[k] = v;
    return out;
  }

  private keyOf(values: TValues | Map<string, string | null>): { id: string; key: TValues } | null {
    const key: TValues = Object.create(null) as TValues;
    const parts: (string | null)[] = [];
    for (const k of this.primaryKey) {
      const v = values instanceof Map ? values.get(k) : values[k];
      if (v === undefined) return null;
      key[k] = v;
      parts.push(v);
    }
    return { id: JSON.stringify(parts), key };
  }

  /** Adds a change; `at` is its commit time (for _sdc_deleted_at), `sequence` orders it. */
  add(change: TRowChange, meta: { at: string; extractedAt: string; sequence: bigint }): void {
    this.received++;
    const values = this.filter(change.values);
    if (this.primaryKey.length === 0) {
      if (change.op === "delete") this.list.push({ kind: "delete", key: change.identity ? this.filter(change.identity) : values, deletedAt: meta.at, extractedAt: meta.extractedAt, sequence: meta.sequence });
      else this.list.push({ kind: "upsert", values, extractedAt: meta.extractedAt, sequence: meta.sequence });
      return;
    }
    if (change.op === "delete") {
      const k = (change.identity && this.keyOf(change.identity)) || this.keyOf(values);
      if (!k) throw new Error(`A delete on ${change.schema}.${change.table} arrived without its primary key`);
      this.markDeleted(k, meta);
      return;
    }
    const newKey = this.keyOf(values);
    if (!newKey) throw new Error(`A change on ${change.schema}.${change.table} arrived without its primary key`);
    const oldKey = change.op === "update" && change.identity ? this.keyOf(change.identity) : null;
    let fill: TPendingFill | null = null;
    if (oldKey && oldKey.id !== newKey.id) {
      // The key changed: the old row is gone at the source; the new one may lack unchanged TOAST values.
      const before = this.byKey.get(oldKey.id);
      const known = before?.change.kind === "upsert" ? before.change.values : {};
      this.markDeleted(oldKey, meta);
      for (const [k, v] of Object.entries(known)) if (!(k in values)) values[k] = v;
      const missing = this.knownColumns.filter((c) => !(c in values));
      if (missing.length > 0) fill = { key: newKey.key, columns: missing };
    }
    const prev = this.byKey.get(newKey.id);
    if (prev && prev.change.kind === "upsert" && change.op === "update") {
      // Later values win; columns this update did not send keep the earlier change's value.
      this.byKey.set(newKey.id, { change: { kind: "upsert", values: { ...prev.change.values, ...values }, extractedAt: meta.extractedAt, sequence: meta.sequence }, fill: prev.fill ?? fill });
    } else {
      this.byKey.set(newKey.id, { change: { kind: "upsert", values, extractedAt: meta.extractedAt, sequence: meta.sequence }, fill });
    }
  }

  /** The table's replicated columns, to tell which ones a key-moving update did not send. */
  private knownColumns: string[] = [];
  setKnownColumns(columns: string[]): void {
    this.knownColumns = columns.filter((c) => !this.skipColumns.has(c));
  }

  private markDeleted(k: { id: string; key: TValues }, meta: { at: string; extractedAt: string; sequence: bigint }): void {
    const prev = this.byKey.get(k.id);
    // A row inserted or changed earlier in this batch lands with those values and the delete mark.
    const carried = prev?.change.kind === "upsert" ? prev.change.values : prev?.change.kind === "delete" ? prev.change.key : {};
    this.byKey.set(k.id, { change: { kind: "delete", key: { ...carried, ...k.key }, deletedAt: meta.at, extractedAt: meta.extractedAt, sequence: meta.sequence }, fill: null });
  }

  /** Upserts still missing values after a key change; filled from the source before applying. */
  pendingFills(): { id: string; fill: TPendingFill }[] {
    const out: { id: string; fill: TPendingFill }[] = [];
    for (const [id, e] of this.byKey) {
      if (!e.fill || e.change.kind !== "upsert") continue;
      const values = e.change.values;
      const still = e.fill.columns.filter((c) => !(c in values));
      if (still.length > 0) out.push({ id, fill: { key: e.fill.key, columns: still } });
    }
    return out;
  }

  applyFill(id: string, values: TValues): void {
    const e = this.byKey.get(id);
    if (!e || e.change.kind !== "upsert") return;
    for (const [k, v] of Object.entries(values)) if (!(k in e.change.values)) e.change.values[k] = v;
  }

  /**
   * wal2json writes NaN and ±Infinity of numeric and float columns as JSON null: a NULL there is
   * ambiguous. These columns' NULLs are checked against the source before applying.
   */
  private ambiguous: ReadonlySet<string> = new Set();
  setAmbiguousNullColumns(columns: string[]): void {
    this.ambiguous = new Set(columns);
  }

  /** Upserts (by key) holding a NULL that may stand for NaN / ±Infinity. */
  ambiguousNulls(): { key: TValues; columns: string[] }[] {
    if (this.ambiguous.size === 0) return [];
    const out: { key: TValues; columns: string[] }[] = [];
    for (const e of this.byKey.values()) {
      if (e.change.kind !== "upsert") continue;
      const values = e.change.values;
      const cols = [...this.ambiguous].filter((c) => values[c] === null);
      if (cols.length === 0) continue;
      const k = this.keyOf(values);
      if (k) out.push({ key: k.key, columns: cols });
    }
    return out;
  }

  /** Sets a column of a buffered upsert (a value read back from the source). */
  setValue(key: TValues, column: string, value: string): void {
    const k = this.keyOf(key);
    const e = k ? this.byKey.get(k.id) : undefined;
    if (e?.change.kind === "upsert") e.change.values[column] = value;
  }

  /** All column names that appear in the buffered changes. */
  columnsSeen(): Set<string> {
    const out = new Set<string>();
    const visit = (c: TChange) => Object.keys(c.kind === "upsert" ? c.values : c.key).forEach((k) => out.add(k));
    for (const e of this.byKey.values()) visit(e.change);
    for (const c of this.list) visit(c);
    return out;
  }

  /** The net changes, grouped so changes with the same columns are adjacent (one merge per group). */
  drain(): TChange[] {
    let out: TChange[];
    if (this.primaryKey.length === 0) out = this.list;
    else {
      const sig = (c: TChange) => `${c.kind}\u0000${Object.keys(c.kind === "upsert" ? c.values : c.key).sort().join("\u0000")}`;
      const groups = new Map<string, TChange[]>();
      for (const { change } of this.byKey.values()) {
        const s = sig(change);
        const g = groups.get(s);
        if (g) g.push(change);
        else groups.set(s, [change]);
      }
      out = [...groups.values()].flat();
    }
    this.byKey = new Map();
    this.list = [];
    this.received = 0;
    return out;
  }
}
