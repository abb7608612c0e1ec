import { selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";
import { createTableSql, FIDELITY_SETUP_SQL, groupsFor, insertRowsSql, rotateRowsSql, tableOf, type TTypeGroup } from "./groups";
import { quoteIdent } from "@/lib/naming/identifiers";
import { firstFailure, jobAndVerify, verifyCells, type TCellMap } from "./judge";
import { logBasedCells, modeNotApplicable } from "./log-matrix";
import { LOG_STAGES, PLUGIN_MODES, type TCell, type TColumn, type TPluginMode, type TServerMatrix, type TSourceServer } from "./types";
import { createFidelityWorld, type TFidelityServers } from "./world";

/** A world with the group tables created and filled (ids from 1). */
async function filledWorld(servers: TFidelityServers, src: TSourceServer, name: string, groups: TTypeGroup[]): Promise<TEngineWorld> {
  const w = await createFidelityWorld(servers, src.url, name);
  await sqlOn(w.sourceUrl, FIDELITY_SETUP_SQL + groups.map(createTableSql).join("\n"));
  await sqlOn(w.sourceUrl, groups.map((g) => insertRowsSql(g, src.major, 1)).join("\n"));
  return w;
}

/** Full Table: a first job, then every row changed (and a key), a second job. */
export async function fullTableCells(servers: TFidelityServers, src: TSourceServer): Promise<TCellMap> {
  const groups = groupsFor(src.major);
  const w = await filledWorld(servers, src, "Fidelity FT", groups);
  try {
    for (const g of groups) await selectTable(w, { name: tableOf(g) }, { method: "full_table" });
    const first = await jobAndVerify(w, groups);
    await sqlOn(w.sourceUrl, groups.map(rotateRowsSql).join("\n"));
    const second = await jobAndVerify(w, groups);
    return new Map(groups.map((g) => [g.name, firstFailure([first.cells, second.cells], g.name)]));
  } finally {
    await w.close();
  }
}

/** Key-based on `id`, two rows a batch (staging and merge): a first job, then new rows, an incremental job. */
export async function keyBasedCells(servers: TFidelityServers, src: TSourceServer): Promise<TCellMap> {
  const groups = groupsFor(src.major);
  const w = await filledWorld(servers, src, "Fidelity KB", groups);
  try {
    for (const g of groups) await selectTable(w, { name: tableOf(g) }, { method: "key_based", replicationKey: ["id"] });
    const first = await jobAndVerify(w, groups, { batchRows: 2 });
    await sqlOn(w.sourceUrl, groups.map((g) => insertRowsSql(g, src.major, 101)).join("\n"));
    const second = await jobAndVerify(w, groups, { batchRows: 2 });
    return new Map(groups.map((g) => [g.name, firstFailure([first.cells, second.cells], g.name)]));
  } finally {
    await w.close();
  }
}

/**
 * The judge's control: after a Full Table job, one value of each group's last column is set to NULL at
 * the destination by hand; every group must then be found, with that row and column.
 */
export async function tamperedCells(servers: TFidelityServers, src: TSourceServer): Promise<{ cells: TCellMap; tampered: Map<string, string> }> {
  const groups = groupsFor(src.major);
  const w = await filledWorld(servers, src, "Fidelity control", groups);
  try {
    for (const g of groups) await selectTable(w, { name: tableOf(g) }, { method: "full_table" });
    await jobAndVerify(w, groups);
    const tampered = new Map<string, string>();
    for (const g of groups) {
      const col = quoteIdent(g.columns.at(-1)![0]);
      const t = `${quoteIdent(w.schema)}.${quoteIdent(tableOf(g))}`;
      const [row] = await sqlOn<{ id: string }>(w.destUrl, `UPDATE ${t} SET ${col} = NULL WHERE id = (SELECT min(id) FROM ${t} WHERE ${col} IS NOT NULL) RETURNING id::text AS id`);
      tampered.set(g.name, `changed id=${row!.id} (${g.columns.at(-1)![0]})`);
    }
    return { cells: await verifyCells(w, groups), tampered };
  } finally {
    await w.close();
  }
}

/** A method's integration: its columns' cells when it has run. */
export type TMethod = "Full Table" | "Key-based" | TPluginMode;
type TMethodRun = () => Promise<[TColumn, TCellMap][]>;

/**
 * Every method on one source server: its block of the matrix. Each method is its own integration;
 * `parallel` runs them at once (most of a job's time is round trips, so they overlap well).
 */
export async function serverMatrix(
  servers: TFidelityServers,
  src: TSourceServer,
  opts: { parallel?: boolean; progress?: (message: string) => void; only?: TMethod[] } = {},
): Promise<TServerMatrix> {
  const wanted = (m: TMethod) => !opts.only || opts.only.includes(m);
  const started = Date.now();
  const groups = groupsFor(src.major);
  const cells = new Map<string, Map<TColumn, TCell>>(groups.map((g) => [g.name, new Map()]));
  const put = (column: TColumn, m: TCellMap) => {
    for (const g of groups) cells.get(g.name)!.set(column, m.get(g.name) ?? { kind: "na", why: "no binary reader: read as text" });
  };
  const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const out = await fn();
    opts.progress?.(`${src.label}: ${what} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return out;
  };
  const runs: TMethodRun[] = [];
  const skipped = (column: TColumn) => put(column, new Map(groups.map((g) => [g.name, { kind: "na", why: "not run here (npm run fidelity runs it)" }])));
  if (wanted("Full Table")) runs.push(() => timed("Full Table", async () => [["Full Table", await fullTableCells(servers, src)]]));
  else skipped("Full Table");
  if (wanted("Key-based")) runs.push(() => timed("Key-based", async () => [["Key-based", await keyBasedCells(servers, src)]]));
  else skipped("Key-based");
  for (const mode of PLUGIN_MODES) {
    const na = wanted(mode) ? modeNotApplicable(src, mode) : "not run here (npm run fidelity runs it)";
    if (na) for (const s of LOG_STAGES) put(`${mode} ${s}`, new Map(groups.map((g) => [g.name, { kind: "na", why: na }])));
    else runs.push(() => timed(`Log-based, ${mode}`, async () => [...(await logBasedCells(servers, src, mode))].map(([s, m]): [TColumn, TCellMap] => [`${mode} ${s}`, m])));
  }
  const results = opts.parallel ? await Promise.all(runs.map((r) => r())) : await sequentially(runs);
  for (const [column, m] of results.flat()) put(column, m);
  return { server: src, groups: groups.map((g) => g.name), cells, seconds: (Date.now() - started) / 1000 };
}

async function sequentially<T>(fns: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  for (const fn of fns) out.push(await fn());
  return out;
}
