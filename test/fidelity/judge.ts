import { quoteIdent } from "@/lib/naming/identifiers";
import { loadsOf, runJob, sqlOn, type TEngineWorld } from "../support/engine-harness";
import { verifyWorld } from "../support/verify-harness";
import { tableOf, type TTypeGroup } from "./groups";
import { SAME, type TCell } from "./types";

export type TCellMap = Map<string, TCell>;

const differs = (detail: string): TCell => ({ kind: "differs", detail });
const ofTable = (tableKey: string, g: TTypeGroup): boolean => tableKey.endsWith(`.${quoteIdent(tableOf(g))}`);

/** The differing columns of one row (both sides as text), named next to Verify's key to find the cause. */
async function differingColumns(w: TEngineWorld, g: TTypeGroup, id: string): Promise<string> {
  const cols = ["touch", "big", ...g.columns.map(([n]) => n)];
  const list = cols.map((c) => `${quoteIdent(c)}::text AS ${quoteIdent(c)}`).join(", ");
  const [s] = await sqlOn(w.sourceUrl, `SELECT ${list} FROM ${tableOf(g)} WHERE id = $1`, [id]);
  const [d] = await sqlOn(w.destUrl, `SELECT ${list} FROM ${quoteIdent(w.schema)}.${quoteIdent(tableOf(g))} WHERE id = $1 AND _sdc_deleted_at IS NULL`, [id]);
  if (!s || !d) return "";
  const diff = cols.filter((c) => s[c] !== d[c]);
  return diff.length > 0 ? ` (${diff.join(", ")})` : "";
}

/** The destination tables' columns in the integration's schema (table → names), in one query. */
async function destinationColumns(w: TEngineWorld): Promise<Map<string, Set<string>>> {
  const rows = await sqlOn<{ t: string; c: string }>(
    w.destUrl,
    `SELECT c.relname AS t, a.attname AS c FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
    [w.schema],
  );
  const out = new Map<string, Set<string>>();
  for (const r of rows) out.set(r.t, (out.get(r.t) ?? new Set()).add(r.c));
  return out;
}

/** What Verify cannot see (it compares only the columns both sides have): every source column landed. */
function missingColumns(have: Set<string> | undefined, g: TTypeGroup): TCell {
  const missing = ["id", "touch", "big", ...g.columns.map(([n]) => n)].filter((c) => !have?.has(c));
  return missing.length === 0 ? SAME : differs(`column(s) missing at the destination: ${missing.join(", ")}`);
}

type TVerdict = Awaited<ReturnType<typeof verifyWorld>>["results"][number];

/** One table's cell from Verify's verdict, then the explicit column check. */
async function verdictCell(w: TEngineWorld, g: TTypeGroup, r: TVerdict | undefined, columns: Map<string, Set<string>>): Promise<TCell> {
  if (!r) return differs("not verified");
  if (r.status === "identical") return missingColumns(columns.get(tableOf(g)), g);
  if (r.status !== "differs") return differs(`${r.status}: ${r.error ?? r.note ?? ""}`);
  const k = r.firstKeys[0];
  const cols = k?.kind === "changed" ? await differingColumns(w, g, k.key.id ?? "") : "";
  return differs(k ? `${k.kind} id=${k.key.id}${cols}` : `${r.differing} rows differ`);
}

/** Verify of the world now, one cell per group table. */
export async function verifyCells(w: TEngineWorld, groups: TTypeGroup[]): Promise<TCellMap> {
  const v = await verifyWorld(w);
  const columns = await destinationColumns(w);
  const cells: TCellMap = new Map();
  for (const g of groups) cells.set(g.name, await verdictCell(w, g, v.results.find((x) => ofTable(x.tableKey, g)), columns));
  return cells;
}

/**
 * Runs one job (as the worker would) and judges every group table: Verify's verdict, then the explicit
 * column check. A table whose load failed shows the load's error. Returns the job log too.
 */
export async function jobAndVerify(w: TEngineWorld, groups: TTypeGroup[], opts: { batchRows?: number } = {}): Promise<{ cells: TCellMap; log: string[] }> {
  const job = await runJob(w, opts);
  const loads = await loadsOf(job.db, job.run.id);
  const lines = await sqlOn(w.app.url, `SELECT message FROM extraction_log_lines WHERE job_run_id = $1 ORDER BY id`, [job.run.id]);
  const cells = await verifyCells(w, groups);
  for (const g of groups) {
    const load = loads.find((l) => ofTable(l.tableKey, g));
    if (load?.error) cells.set(g.name, differs(`load failed: ${load.error.slice(0, 200)}`));
    else if (job.error && !load) cells.set(g.name, differs(`job failed: ${job.error.slice(0, 200)}`));
  }
  return { cells, log: lines.map((l) => l.message ?? "") };
}

/** A method judged over several jobs: the first job's failure, else the next one's verdict. */
export function firstFailure(runs: TCellMap[], name: string): TCell {
  for (const r of runs) {
    const c = r.get(name);
    if (!c) return differs("no result");
    if (c.kind !== "same") return c;
  }
  return SAME;
}
