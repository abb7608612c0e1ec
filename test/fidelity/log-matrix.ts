import { quoteIdent, quoteLiteral } from "@/lib/naming/identifiers";
import { enableLogBasedReplication } from "@/lib/replication/log-based";
import { preferredSlotName } from "@/lib/source/slot-names";
import { runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";
import { createTableSql, FIDELITY_SETUP_SQL, groupsFor, insertRowsSql, rotateRowsSql, tableOf, type TTypeGroup } from "./groups";
import { connectionParts } from "../support/url";
import { jobAndVerify } from "./judge";
import { LOG_STAGES, SAME, type TCell, type TLogStage, type TPluginMode, type TSourceServer } from "./types";
import { createFidelityWorld, type TFidelityServers } from "./world";

enableLogBasedReplication();

/** Why a plugin mode does not apply to a server, or null. */
export function modeNotApplicable(src: TSourceServer, mode: TPluginMode): string | null {
  if (mode === "wal2json" && !src.wal2json) return "no wal2json";
  if (mode === "pgoutput binary" && src.major < 14) return "binary from 14";
  return null;
}

/** The stream the job log must name for the mode, so a column never shows another mode's results. */
function expectedReadLine(mode: TPluginMode): RegExp {
  if (mode === "wal2json") return /Reading changes from slot .* \(wal2json\)/;
  if (mode === "pgoutput binary") return /Reading changes from slot .* \(pgoutput, binary values\)/;
  return /Reading changes from slot .* \(pgoutput\)/;
}

/**
 * The stage's SQL. Deletes: every other row. Unchanged TOAST: only `touch` changes, so every TOASTed value
 * (`big` in every table, and the groups' own large values) is left out of the change and must be kept.
 */
function stageSql(stage: TLogStage, groups: TTypeGroup[], major: number): string {
  switch (stage) {
    case "ins":
      return groups.map((g) => insertRowsSql(g, major, 1)).join("\n");
    case "upd":
      return groups.map(rotateRowsSql).join("\n");
    case "toast":
      return groups.map((g) => `UPDATE ${tableOf(g)} SET touch = touch + 1;`).join("\n");
    case "del":
      return groups.map((g) => `DELETE FROM ${tableOf(g)} WHERE id % 2 = 0;`).join("\n");
  }
}

/** What Verify cannot see (it leaves deleted rows out): the deleted rows are kept, `_sdc_deleted_at` set. */
function deletedRowsKept(kept: Set<string>, g: TTypeGroup, ids: string[]): TCell {
  const lost = ids.filter((id) => !kept.has(`${tableOf(g)} ${id}`));
  return lost.length === 0 ? SAME : { kind: "differs", detail: `deleted id=${lost[0]} not kept with _sdc_deleted_at set` };
}

/** "table id" of every row marked deleted at the destination, all tables in one query. */
async function markedDeleted(w: TEngineWorld, groups: TTypeGroup[]): Promise<Set<string>> {
  const union = groups.map((g) => `SELECT ${quoteLiteral(tableOf(g))} || ' ' || id AS k FROM ${quoteIdent(w.schema)}.${quoteIdent(tableOf(g))} WHERE _sdc_deleted_at IS NOT NULL`);
  const rows = await sqlOn<{ k: string }>(w.destUrl, union.join(" UNION ALL "));
  return new Set(rows.map((r) => r.k));
}

/**
 * Log-based through one plugin mode: tables created empty, a first job (slot, publication, empty copy),
 * then inserts, updates (every value moved to another row, a key change), an update leaving TOASTed
 * values unchanged, and deletes, each read by its own job and judged by Verify. pgoutput with text values
 * on 14+ comes from a world that also holds a table without binary readers (the read is then text);
 * the binary world holds only the groups with binary readers. On a server with wal2json the product
 * picks it; the pgoutput worlds there start with a pgoutput slot made beforehand.
 */
export async function logBasedCells(servers: TFidelityServers, src: TSourceServer, mode: TPluginMode): Promise<Map<TLogStage, Map<string, TCell>>> {
  const all = groupsFor(src.major);
  const groups = mode === "pgoutput binary" ? all.filter((g) => g.binary) : all;
  const w = await createFidelityWorld(servers, src.url, `Fidelity ${mode}`);
  const out = new Map<TLogStage, Map<string, TCell>>();
  try {
    await sqlOn(w.sourceUrl, FIDELITY_SETUP_SQL + groups.map(createTableSql).join("\n"));
    if (src.wal2json && mode !== "wal2json") {
      await sqlOn(w.sourceUrl, `SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [preferredSlotName(connectionParts(w.sourceUrl).database)]);
    }
    for (const g of groups) await selectTable(w, { name: tableOf(g) }, { method: "log_based" });
    const first = await runJob(w);
    if (first.error) throw new Error(`The first ${mode} job failed: ${first.error}`);
    for (const stage of LOG_STAGES) {
      const deleted = stage === "del" ? await deletedIds(w, groups) : new Map<string, string[]>();
      await sqlOn(w.sourceUrl, stageSql(stage, groups, src.major));
      const { cells, log } = await jobAndVerify(w, groups);
      if (!log.some((l) => expectedReadLine(mode).test(l))) throw new Error(`The ${mode} ${stage} job did not read as ${mode}: ${log.filter((l) => /Reading changes/.test(l)).join(" | ") || "no read"}`);
      if (stage === "del") {
        const kept = await markedDeleted(w, groups);
        for (const g of groups) if (cells.get(g.name)?.kind === "same") cells.set(g.name, deletedRowsKept(kept, g, deleted.get(g.name) ?? []));
      }
      out.set(stage, cells);
    }
    return out;
  } finally {
    await w.close();
  }
}

async function deletedIds(w: TEngineWorld, groups: TTypeGroup[]): Promise<Map<string, string[]>> {
  const union = groups.map((g) => `SELECT ${quoteLiteral(g.name)} AS g, id::text AS id FROM ${tableOf(g)} WHERE id % 2 = 0`);
  const rows = await sqlOn<{ g: string; id: string }>(w.sourceUrl, union.join(" UNION ALL "));
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.g, [...(out.get(r.g) ?? []), r.id]);
  return out;
}
