import type { TValue } from "../decode/events";
import { keyIdOf, type TKeyId } from "./row-arena";

export type TValues = Record<string, string | null>;

/**
 * A table's column registry: each replicated column's index in a buffered change's values (the primary
 * key's columns first), and each relation description's column list mapped to it once.
 */
export class ColumnRegistry {
  /** Column names, by registry index. */
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  /**
   * A relation's column list → registry index per column (-1: not replicated); null when every column
   * lands at its own position (the usual case: the change's array is then used as it is).
   */
  private readonly mappings = new WeakMap<readonly string[], Int32Array | null>();
  readonly pkCount: number;

  constructor(
    readonly primaryKey: string[],
    /** Columns that are not replicated (deselected); dropped from every change. */
    readonly skipColumns: ReadonlySet<string>,
  ) {
    for (const k of primaryKey) this.register(k);
    this.pkCount = primaryKey.length;
  }

  register(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.push(name) - 1;
      this.index.set(name, i);
    }
    return i;
  }

  /** A registered column's index. */
  at(name: string): number | undefined {
    return this.index.get(name);
  }

  mapping(columns: readonly string[]): Int32Array | null {
    let m = this.mappings.get(columns);
    if (m === undefined) {
      const map = Int32Array.from(columns, (c) => (this.skipColumns.has(c) ? -1 : this.register(c)));
      m = map.every((to, i) => to === i) ? null : map;
      this.mappings.set(columns, m);
    }
    return m;
  }

  /** A change's values (aligned with its relation's columns, owned by the buffer from now) → registry-indexed. */
  project(map: Int32Array | null, values: TValue[]): TValue[] {
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
  keyId(values: readonly TValue[]): TKeyId | null {
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

  keyRecord(values: readonly TValue[]): TValues {
    const key: TValues = Object.create(null) as TValues;
    for (let i = 0; i < this.pkCount; i++) key[this.names[i]!] = values[i] ?? null;
    return key;
  }
}
