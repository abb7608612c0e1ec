import type { TChangeGroup } from "@/lib/connectors/types";
import type { TEntry, TValuesEntry } from "./entry";

/**
 * Net changes as loader groups: keyed tables (`ordered` false) grouped by kind and sent columns (one
 * merge per group; at most one change per key, so order between groups does not matter); keyless tables
 * (`ordered`) in order, split where the kind or the sent columns change. Arena rows: one group per
 * layout and kind (new keys apart); the loader copies their bytes as they are.
 */
export function groupEntries(entries: Iterable<TEntry>, ordered: boolean, names: readonly string[], arena: Buffer, extractedAt: string): TChangeGroup[] {
  const groups: TChangeGroup[] = [];
  const bySig = new Map<string | number, TChangeGroup>();
  const arenaGroups = new Map<number, TChangeGroup>();
  let last: TChangeGroup | null = null;
  let lastSig: string | number = -1;
  const n = names.length;
  for (const e of entries) {
    if (e.form === "arena") {
      const insertOnly = e.kind === "upsert" && e.born;
      const k = e.layout.id * 3 + (e.kind === "delete" ? 1 : insertOnly ? 2 : 0);
      let ag = arenaGroups.get(k);
      if (!ag) {
        ag = { kind: e.kind, sourceCols: e.layout.sourceCols, at: e.layout.at, rows: [], extractedAt, arena, binary: e.layout.types !== null, insertOnly };
        arenaGroups.set(k, ag);
        groups.push(ag);
      }
      ag.rows.push(e);
      continue;
    }
    const sig = signature(e, n);
    let g: TChangeGroup | null | undefined = ordered ? (sig === lastSig ? last : null) : bySig.get(sig);
    if (!g) {
      const at: number[] = [];
      for (let i = 0; i < n; i++) if (e.values[i] !== undefined) at.push(i);
      g = { kind: e.kind, sourceCols: at.map((i) => names[i]!), at, rows: [], extractedAt };
      groups.push(g);
      if (ordered) {
        last = g;
        lastSig = sig;
      } else bySig.set(sig, g);
    }
    g.rows.push(e);
  }
  return groups;
}

/** The kind and which columns were sent: a number while it fits 31 bits (no string per entry). */
function signature(e: TValuesEntry, n: number): string | number {
  if (n < 31) {
    let sig = e.kind === "delete" ? 1 : 0;
    for (let i = 0; i < n; i++) if (e.values[i] !== undefined) sig |= 2 << i;
    return sig;
  }
  let sig = e.kind === "delete" ? "d" : "u";
  for (let i = 0; i < n; i++) sig += e.values[i] === undefined ? "0" : "1";
  return sig;
}
