import type pg from "pg";
import { destinationPosition, sourcePosition } from "./connections";
import { planTable, type TTablePlan } from "./prepare";
import { firstPass, CandidateList } from "./ranges";
import { hashWholeTable, type TWholeHash } from "./whole-table";
import { newVerifyStats, VerifyStopped, type TVerifyOptions, type TVerifyTarget } from "./types";

/** What the first pass saw of one table. */
export type TFirstRead = {
  target: TVerifyTarget;
  plan: TTablePlan;
  sourceRows: number;
  destinationRows: number;
  /** Ranges mode: the differing keys found. */
  found: CandidateList | null;
  /** Whole-table mode: both sides' count and hash. */
  whole: { src: TWholeHash; dst: TWholeHash } | null;
  /** The source position when its snapshot was taken, and the destination's saved one (Log-based). */
  sourceLsn: string | null;
  destinationLsn: string | null;
  error?: string;
};

export const DEFAULT_RANGE_ROWS = 20_000;
export const DEFAULT_LEAF_ROWS = 1_000;
export const DEFAULT_MAX_DIFFERING_KEYS = 50_000;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The first pass over one table, the source read in ONE snapshot (REPEATABLE READ READ ONLY) from the
 * position recorded at its start; the destination as it is committed meanwhile.
 */
export async function firstRead(opts: TVerifyOptions, src: pg.Client, dst: pg.Client, target: TVerifyTarget): Promise<TFirstRead> {
  const base: TFirstRead = { target, plan: { mode: "skipped", note: "" }, sourceRows: 0, destinationRows: 0, found: null, whole: null, sourceLsn: null, destinationLsn: null };
  try {
    const plan = await planTable({ src, dst, schema: opts.schema, target });
    base.plan = plan;
    if (plan.mode === "skipped" || plan.mode === "error") return base;
    await src.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
      base.sourceLsn = await sourcePosition(src); // the snapshot is taken by this first statement
      base.destinationLsn = target.method === "log_based" ? await destinationPosition(dst, opts.integrationId, target.tableKey) : null;
      await opts.afterSourceSnapshot?.(target);
      if (plan.mode === "ranges") {
        base.found = new CandidateList(opts.maxDifferingKeys ?? DEFAULT_MAX_DIFFERING_KEYS);
        const stats = opts.stats ?? newVerifyStats();
        const rangeRows = opts.rangeRows ?? DEFAULT_RANGE_ROWS;
        const leafRows = Math.min(opts.leafRows ?? DEFAULT_LEAF_ROWS, rangeRows);
        const totals = await firstPass({ src, dst, srcShape: plan.srcShape, dstShape: plan.dstShape, rangeRows, leafRows, stats, found: base.found, shouldStop: opts.shouldStop });
        base.sourceRows = totals.sourceRows;
        base.destinationRows = totals.destinationRows;
      } else {
        const [s, d] = await Promise.all([hashWholeTable(src, plan.srcShape), hashWholeTable(dst, plan.dstShape)]);
        base.whole = { src: s, dst: d };
        base.sourceRows = s.n;
        base.destinationRows = d.n;
      }
      await src.query("COMMIT");
    } catch (err) {
      await src.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  } catch (err) {
    if (err instanceof VerifyStopped) throw err;
    base.error = message(err);
  }
  return base;
}

/** Whether a first read found something the second look must confirm. */
export function needsSecondLook(f: TFirstRead): boolean {
  if (f.error) return false;
  if (f.found) return f.found.items.length > 0 || f.found.overflow > 0;
  return f.whole !== null && (f.whole.src.n !== f.whole.dst.n || f.whole.src.s !== f.whole.dst.s);
}
