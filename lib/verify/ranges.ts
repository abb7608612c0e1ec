import type pg from "pg";
import { z } from "zod";
import { boundarySql, rangeHashSql, rangeRowsSql, walkStepSql, type TKeyBound, type TSideShape } from "./sql";
import { stopIfAsked, type TDifferenceKind, type TVerifyStats } from "./types";

/** A differing row found by the first pass; `srcHash` is its source row hash then (null: not at the source). */
export type TCandidate = { kind: TDifferenceKind; key: string[]; srcHash: string | null };

/** Both sides of one table: clients (the source's inside its snapshot) and statement shapes. */
export type TSides = { src: pg.Client; dst: pg.Client; srcShape: TSideShape; dstShape: TSideShape };

export type TPassContext = TSides & { rangeRows: number; leafRows: number; stats: TVerifyStats; found: CandidateList; shouldStop?: () => boolean };

type THash = { n: number; s: string };

const ZHashRow = z.object({ n: z.string(), s: z.string() });
const ZStepRow = ZHashRow.extend({ last: z.string().nullable() });
const ZKeyRow = z.object({ k: z.string(), h: z.string() });
const ZKey = z.array(z.string());

export function parseKey(json: string): string[] {
  return ZKey.parse(JSON.parse(json));
}

/** The differing keys kept (up to a cap, for the re-check and Repair) and how many more were found. */
export class CandidateList {
  readonly items: TCandidate[] = [];
  overflow = 0;
  constructor(private readonly max: number) {}
  add(c: TCandidate): void {
    if (this.items.length < this.max) this.items.push(c);
    else this.overflow++;
  }
}

async function walkStep(client: pg.Client, shape: TSideShape, lo: TKeyBound, hi: TKeyBound, limit: number): Promise<THash & { last: string[] | null }> {
  const q = walkStepSql(shape, lo, hi, limit);
  const row = ZStepRow.parse((await client.query(q.text, q.values)).rows[0]);
  return { n: Number(row.n), s: row.s, last: row.last === null ? null : parseKey(row.last) };
}

async function hashRange(client: pg.Client, shape: TSideShape, lo: TKeyBound, hi: TKeyBound): Promise<THash> {
  const q = rangeHashSql(shape, lo, hi);
  const row = ZHashRow.parse((await client.query(q.text, q.values)).rows[0]);
  return { n: Number(row.n), s: row.s };
}

const same = (a: THash, b: THash): boolean => a.n === b.n && a.s === b.s;

async function boundary(client: pg.Client, shape: TSideShape, lo: TKeyBound, limit: number): Promise<string[] | null> {
  const q = boundarySql(shape, lo, limit);
  const row = (await client.query<{ last: string }>(q.text, q.values)).rows[0];
  return row ? parseKey(row.last) : null;
}

/** A promise whose failure is reported where it is awaited, not as an unhandled rejection meanwhile. */
function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * The first pass over one keyed table: ranges of `rangeRows` source rows, their ends read in key order
 * through the primary key index (the last range open-ended, so destination rows past the source's last
 * key count), each hashed on both sides at the same time with the same statement. The source reads the
 * next range's end right after hashing the current range, while the destination may still be hashing it.
 */
export async function firstPass(ctx: TPassContext): Promise<{ sourceRows: number; destinationRows: number }> {
  let sourceRows = 0;
  let destinationRows = 0;
  let lo: TKeyBound = null;
  let nextHi = later(boundary(ctx.src, ctx.srcShape, lo, ctx.rangeRows));
  for (;;) {
    const hi = await nextHi;
    stopIfAsked(ctx.shouldStop);
    const srcHash = later(hashRange(ctx.src, ctx.srcShape, lo, hi)); // queued on the source before the next end
    if (hi !== null) nextHi = later(boundary(ctx.src, ctx.srcShape, hi, ctx.rangeRows));
    const [s, d] = await Promise.all([srcHash, hashRange(ctx.dst, ctx.dstShape, lo, hi)]);
    ctx.stats.rangesHashed++;
    sourceRows += s.n;
    destinationRows += d.n;
    if (!same(s, d)) await bisect(ctx, lo, hi, s, d);
    if (hi === null) break;
    lo = hi;
  }
  return { sourceRows, destinationRows };
}

/**
 * A differing range (lo, hi]: compared row by row once both sides hold at most `leafRows` rows in it,
 * else cut into about eight pieces along the side with more rows, each hashed on both sides again.
 */
async function bisect(ctx: TPassContext, lo: TKeyBound, hi: TKeyBound, src: THash, dst: THash): Promise<void> {
  if (src.n <= ctx.leafRows && dst.n <= ctx.leafRows) return compareLeaf(ctx, lo, hi);
  const walkSource = src.n >= dst.n;
  const walker = walkSource ? { client: ctx.src, shape: ctx.srcShape } : { client: ctx.dst, shape: ctx.dstShape };
  const other = walkSource ? { client: ctx.dst, shape: ctx.dstShape } : { client: ctx.src, shape: ctx.srcShape };
  const step = Math.max(ctx.leafRows, Math.ceil(Math.max(src.n, dst.n) / 8));
  let cur = lo;
  for (;;) {
    stopIfAsked(ctx.shouldStop);
    const w = await walkStep(walker.client, walker.shape, cur, hi, step);
    const last = w.n < step ? hi : w.last;
    const o = await hashRange(other.client, other.shape, cur, last);
    ctx.stats.rangesHashed++;
    if (!same(w, o)) await bisect(ctx, cur, last, walkSource ? w : o, walkSource ? o : w);
    if (w.n < step) return;
    cur = w.last;
  }
}

async function keyedHashes(client: pg.Client, shape: TSideShape, lo: TKeyBound, hi: TKeyBound): Promise<Map<string, string>> {
  const q = rangeRowsSql(shape, lo, hi);
  const res = await client.query(q.text, q.values);
  const out = new Map<string, string>();
  for (const raw of res.rows) {
    const r = ZKeyRow.parse(raw);
    out.set(r.k, r.h);
  }
  return out;
}

/** Row by row: each key's hash on both sides (at most about 2 × leafRows rows held). */
async function compareLeaf(ctx: TPassContext, lo: TKeyBound, hi: TKeyBound): Promise<void> {
  const [src, dst] = await Promise.all([keyedHashes(ctx.src, ctx.srcShape, lo, hi), keyedHashes(ctx.dst, ctx.dstShape, lo, hi)]);
  ctx.stats.leafRangesCompared++;
  ctx.stats.peakRowsHeld = Math.max(ctx.stats.peakRowsHeld, src.size + dst.size);
  for (const [k, h] of dst) {
    const s = src.get(k);
    if (s === undefined) ctx.found.add({ kind: "extra", key: parseKey(k), srcHash: null });
    else if (s !== h) ctx.found.add({ kind: "changed", key: parseKey(k), srcHash: s });
  }
  for (const [k, h] of src) if (!dst.has(k)) ctx.found.add({ kind: "missing", key: parseKey(k), srcHash: h });
}
