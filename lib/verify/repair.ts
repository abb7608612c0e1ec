import type pg from "pg";
import { z } from "zod";
import { openDestinationClient } from "@/lib/destination/connection";
import { openVerifyConnections } from "./connections";
import { parseKey, type TCandidate } from "./ranges";
import { removeRowsSql, upsertRowsSql } from "./repair-sql";
import { runVerification } from "./run";
import type { TTableOutcome } from "./second-read";
import { valuesByKeysSql, type TSideShape } from "./sql";
import { stopIfAsked, VerifyStopped, type TTableVerification, type TVerifyOptions } from "./types";

export type TRepairOptions = TVerifyOptions & {
  /** Keys per destination transaction (default 1,000). */
  batchRows?: number;
};

/** What Repair did to one table: the rows it wrote, and Verify's verdict before and after. */
export type TTableRepair = { tableKey: string; repairedRows: number; before: TTableVerification; after: TTableVerification; error?: string };

const ZValuesRow = z.object({ k: z.string() }).catchall(z.string().nullable());

/** One batch: the source rows of these keys read now, written in one destination transaction. */
async function repairBatch(src: pg.Client, dst: pg.Client, shapes: { src: TSideShape; dst: TSideShape }, keys: string[][], markDeleted: boolean): Promise<number> {
  const q = valuesByKeysSql(shapes.src, keys);
  const rows = (await src.query(q.text, q.values)).rows.map((raw) => ZValuesRow.parse(raw));
  const present = new Set(rows.map((r) => JSON.stringify(parseKey(r.k))));
  const gone = keys.filter((k) => !present.has(JSON.stringify(k)));
  const values = rows.map((r) => shapes.src.columns.map((_, i) => r[`c${i}`] ?? null));
  let written = 0;
  await dst.query("BEGIN");
  try {
    if (values.length > 0) {
      const up = upsertRowsSql(shapes.dst, values);
      written += (await dst.query(up.text, up.values)).rowCount ?? 0;
    }
    if (gone.length > 0) {
      const rm = removeRowsSql(shapes.dst, gone, markDeleted);
      written += (await dst.query(rm.text, rm.values)).rowCount ?? 0;
    }
    await dst.query("COMMIT");
  } catch (err) {
    await dst.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
  return written;
}

async function repairTable(opts: TRepairOptions, src: pg.Client, dst: pg.Client, outcome: TTableOutcome): Promise<number> {
  const plan = outcome.first.plan;
  if (plan.mode !== "ranges") return 0;
  const batch = opts.batchRows ?? 1_000;
  const keys = outcome.confirmed.map((c: TCandidate) => c.key);
  let written = 0;
  for (let i = 0; i < keys.length; i += batch) {
    stopIfAsked(opts.shouldStop, "Repair");
    written += await repairBatch(src, dst, { src: plan.srcShape, dst: plan.dstShape }, keys.slice(i, i + batch), outcome.first.target.method === "log_based");
  }
  return written;
}

/**
 * Repair: verifies the tables, re-copies only the rows that differ (each read from the source by key
 * and upserted; a key gone at the source is deleted, or marked deleted for Log-based tables), one
 * destination transaction per batch, then verifies the repaired tables again. Keyless tables (and
 * tables compared as a whole) are not repaired: their verdict is returned as is.
 */
export async function repairTables(opts: TRepairOptions): Promise<TTableRepair[]> {
  const log = opts.log ?? (() => undefined);
  const before = await runVerification({ ...opts, onTable: undefined });
  const conns = await openVerifyConnections(opts);
  const writer = await openDestinationClient(opts.destination, "pgreplicate-repair");
  const repaired: { outcome: TTableOutcome; rows: number; error?: string }[] = [];
  try {
    for (const outcome of before) {
      if (outcome.confirmed.length === 0) {
        repaired.push({ outcome, rows: 0 });
        continue;
      }
      try {
        const rows = await repairTable(opts, await conns.source(outcome.first.target.database), writer, outcome);
        log("info", `Repair ${outcome.result.tableKey}: re-copied ${rows} row(s) of ${outcome.confirmed.length} differing`);
        repaired.push({ outcome, rows });
      } catch (err) {
        if (err instanceof VerifyStopped) throw err;
        const error = err instanceof Error ? err.message : String(err);
        log("error", `Repair ${outcome.result.tableKey} failed: ${error}`);
        repaired.push({ outcome, rows: 0, error });
      }
    }
  } finally {
    await writer.end().catch(() => undefined);
    await conns.close();
  }
  const again = repaired.filter((r) => r.rows > 0).map((r) => r.outcome.first.target);
  const after = again.length > 0 ? await runVerification({ ...opts, tables: again }) : [];
  const afterByKey = new Map(after.map((o) => [o.result.tableKey, o.result]));
  const out: TTableRepair[] = [];
  for (const r of repaired) {
    const b = r.outcome.result;
    const a = afterByKey.get(b.tableKey) ?? b;
    if (!afterByKey.has(b.tableKey)) await opts.onTable?.(a);
    out.push({ tableKey: b.tableKey, repairedRows: r.rows, before: b, after: a, ...(r.error ? { error: r.error } : {}) });
  }
  return out;
}
