import type pg from "pg";
import { z } from "zod";
import { rowsByKeysSql, type TSideShape } from "./sql";
import { parseKey, type TCandidate } from "./ranges";
import type { TVerifyStats } from "./types";

const ZKeyRow = z.object({ k: z.string(), h: z.string() });

async function hashesByKey(client: pg.Client, shape: TSideShape, keys: string[][]): Promise<Map<string, string>> {
  const q = rowsByKeysSql(shape, keys);
  const out = new Map<string, string>();
  for (const raw of (await client.query(q.text, q.values)).rows) {
    const r = ZKeyRow.parse(raw);
    out.set(JSON.stringify(parseKey(r.k)), r.h);
  }
  return out;
}

/**
 * The second look at the first pass's differing keys, after the caller's catch-up: the destination is
 * read first, then the source (outside the first snapshot, so the destination cannot be ahead of it).
 * A key is kept only if its source row is the same as in the first read (a row changed in between is
 * in flight, not a difference) and the two sides still differ; its kind is taken from this read.
 */
export async function recheckCandidates(input: { src: pg.Client; dst: pg.Client; srcShape: TSideShape; dstShape: TSideShape; candidates: TCandidate[]; batch: number; stats: TVerifyStats }): Promise<TCandidate[]> {
  const confirmed: TCandidate[] = [];
  for (let i = 0; i < input.candidates.length; i += input.batch) {
    const batch = input.candidates.slice(i, i + input.batch);
    const keys = batch.map((c) => c.key);
    const dst = await hashesByKey(input.dst, input.dstShape, keys);
    const src = await hashesByKey(input.src, input.srcShape, keys);
    input.stats.keysRechecked += batch.length;
    input.stats.peakRowsHeld = Math.max(input.stats.peakRowsHeld, src.size + dst.size);
    for (const c of batch) {
      const k = JSON.stringify(c.key);
      const s = src.get(k) ?? null;
      const d = dst.get(k) ?? null;
      if (s !== c.srcHash || s === d) continue;
      confirmed.push({ kind: s === null ? "extra" : d === null ? "missing" : "changed", key: c.key, srcHash: s });
    }
  }
  return confirmed;
}
