import { openVerifyConnections } from "./connections";
import { firstRead, needsSecondLook, type TFirstRead } from "./first-read";
import { secondRead, type TTableOutcome } from "./second-read";
import { stopIfAsked, type TTableVerification, type TVerifyOptions } from "./types";

/** The log line of a table's verdict (Loading Reports show the same words). */
export function describeVerification(r: TTableVerification): string {
  const counts = `source ${r.sourceRows} row(s), destination ${r.destinationRows}`;
  const note = r.note ? ` (${r.note})` : "";
  switch (r.status) {
    case "identical":
      return `Verify ${r.tableKey}: Identical, ${counts}${note}`;
    case "differs": {
      const keys = r.firstKeys.map((k) => `${k.kind} ${JSON.stringify(k.key)}`).join(", ");
      return `Verify ${r.tableKey}: ${r.differing} ${r.differing === 1 ? "row differs" : "rows differ"}, ${counts}${keys ? `; first keys: ${keys}` : ""}${note}`;
    }
    case "skipped":
      return `Verify ${r.tableKey}: ${r.note ?? "not verified"}`;
    case "error":
      return `Verify ${r.tableKey} failed: ${r.error ?? "unknown error"}`;
  }
}

/**
 * Both passes over every table: first passes for all tables, then (if any found a difference) the
 * caller's catch-up once, then the second look at what was found. Results come in the tables' order.
 */
export async function runVerification(opts: TVerifyOptions): Promise<TTableOutcome[]> {
  const log = opts.log ?? (() => undefined);
  const conns = await openVerifyConnections(opts);
  try {
    const firsts: TFirstRead[] = [];
    for (const target of opts.tables) {
      stopIfAsked(opts.shouldStop);
      log("info", `Verify ${target.tableKey}: comparing source ${target.sourceSchema}.${target.sourceTable} with ${opts.schema}.${target.destinationTable}`);
      const src = await conns.source(target.database);
      firsts.push(await firstRead(opts, src, conns.dst, target));
    }
    const behind = firsts.filter((f) => f.target.method !== "full_table" && needsSecondLook(f)).map((f) => f.target.tableKey);
    if (opts.catchUp && behind.length > 0) {
      log("info", `Verify: differences found in ${behind.length} incremental table(s); bringing them up to the source before looking again`);
      await opts.catchUp(behind);
    }
    const out: TTableOutcome[] = [];
    for (const f of firsts) {
      const outcome = await secondRead(opts, await conns.source(f.target.database), conns.dst, f).catch((err: unknown) => ({
        first: f,
        confirmed: [],
        result: { tableKey: f.target.tableKey, status: "error" as const, sourceRows: f.sourceRows, destinationRows: f.destinationRows, differing: 0, firstKeys: [], compared: "none" as const, error: err instanceof Error ? err.message : String(err) },
      }));
      const r = outcome.result;
      log(r.status === "error" ? "error" : r.status === "differs" ? "warn" : "info", describeVerification(r));
      out.push(outcome);
      await opts.onTable?.(r);
    }
    return out;
  } finally {
    await conns.close();
  }
}

/**
 * Verify: compares every given table at the source and the destination (row counts and hashes per
 * primary-key range, bisected down to the rows; keyless tables by count and whole-table hash). The
 * source is read in one snapshot per table; differences are reported only if they persist after the
 * catch-up. Deleted rows (_sdc_deleted_at set) and _sdc_* columns are left out. Never throws for a
 * table: its result says "error".
 */
export async function verifyTables(opts: TVerifyOptions): Promise<TTableVerification[]> {
  return (await runVerification(opts)).map((o) => o.result);
}
