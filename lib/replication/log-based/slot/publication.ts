import type pg from "pg";
import { AppError } from "@/lib/errors";
import { quoteIdent } from "@/lib/naming/identifiers";
import type { TJobLogger } from "@/lib/jobs/log";
import { serverVersionNum } from "@/lib/source/server-version";
import { relationSql } from "@/lib/connectors/postgres/source/session";
import { PGOUTPUT_PARTITIONS_MIN_VERSION, pgoutputPartitionsError, publishViaPartitionRoot } from "../prepare/partitions";
import type { TLogTable } from "../prepare/table-context";
import type { TStreamTable } from "../decode/plugins";

type TContext = { t: TLogTable; saved: unknown };

/**
 * Makes the pgoutput publication carry every table read: partitioned tables through their root (13+;
 * before that the table fails with what to do instead), then each table added that was missing. A table
 * that was not in the publication had its changes dropped by the server: its saved copy is no longer
 * exact and is dropped (`saved = null`: copied again). Returns the tables that cannot be read this way.
 */
export async function preparePublication(client: pg.Client, publication: string, contexts: TContext[], log: TJobLogger): Promise<Map<string, string>> {
  const refused = new Map<string, string>();
  const partitioned = contexts.filter((c) => c.t.table.kind === "partitioned_table");
  if (partitioned.length > 0) {
    const version = await serverVersionNum(client);
    if (version < PGOUTPUT_PARTITIONS_MIN_VERSION) {
      for (const c of partitioned) refused.set(c.t.table.tableKey, pgoutputPartitionsError(version, relationSql(c.t.table.schema, c.t.table.name)));
    }
  }
  const readable = contexts.filter((c) => !refused.has(c.t.table.tableKey));
  if (readable.length === 0) return refused;
  const note = (m: string) => log.info("tap", m);
  const viaRoot = readable.some((c) => c.t.table.kind === "partitioned_table") && (await tryViaRoot(client, publication, log));
  // Without publish_via_partition_root the publication lists a partitioned table's partitions, not the
  // table: one listed partition means the table is in it (the applier maps partitions to their table).
  const listed = viaRoot ? new Set<string>() : await publishedNames(client, publication);
  const inByPartitions = (c: TContext) => c.t.partitions.some((p) => listed.has(`${p.schema}\u0000${p.name}`));
  const check = readable.filter((c) => !inByPartitions(c));
  const added = await ensurePublication(client, publication, check.map((c) => ({ schema: c.t.table.schema, name: c.t.table.name })), note);
  if (readable.some((c) => c.t.table.kind === "partitioned_table") && added.length > 0) await tryViaRoot(client, publication, log);
  for (const c of readable) {
    if (c.saved && added.some((a) => a.schema === c.t.table.schema && a.name === c.t.table.name)) {
      log.warn("tap", `${c.t.table.tableKey} was not in publication ${publication}: its changes were not recorded, so it is copied again`);
      c.saved = null;
    }
  }
  return refused;
}

/** Sets publish_via_partition_root when this user may; otherwise partitions are read under their own names. */
async function tryViaRoot(client: pg.Client, publication: string, log: TJobLogger): Promise<boolean> {
  try {
    await publishViaPartitionRoot(client, publication, (m) => log.info("tap", m));
    return true;
  } catch (err) {
    log.warn("tap", `${err instanceof Error ? err.message : String(err)} Until then each partition's changes arrive under its own name and are applied to its table.`);
    return false;
  }
}

async function publishedNames(client: pg.Client, publication: string): Promise<Set<string>> {
  const res = await client.query<{ schemaname: string; tablename: string }>(`SELECT schemaname, tablename FROM pg_catalog.pg_publication_tables WHERE pubname = $1`, [publication]);
  return new Set(res.rows.map((r) => `${r.schemaname}\u0000${r.tablename}`));
}

function tableSql(t: TStreamTable): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

/**
 * The pgoutput publication (named like the slot) covers the tables: created, or the missing tables
 * added, when this user may; otherwise a clear error with the statement to run. Returns the tables that
 * were not in it before (their changes so far were not decoded: they need a fresh copy).
 */
export async function ensurePublication(client: pg.Client, publication: string, tables: TStreamTable[], log: (msg: string) => void): Promise<TStreamTable[]> {
  const pub = await client.query<{ puballtables: string | boolean }>(`SELECT puballtables FROM pg_catalog.pg_publication WHERE pubname = $1`, [publication]);
  const list = tables.map(tableSql).join(", ");
  if (pub.rows.length === 0) {
    const sql = `CREATE PUBLICATION ${quoteIdent(publication)} FOR TABLE ${list}`;
    try {
      await client.query(sql);
    } catch (err) {
      throw new AppError("VALIDATION", `The publication ${publication} does not exist and could not be created (${err instanceof Error ? err.message : String(err)}). Run as the tables' owner: ${sql};`);
    }
    log(`Created publication ${publication} for ${tables.length} table(s)`);
    return tables;
  }
  const all = pub.rows[0]!.puballtables;
  if (all === true || all === "t" || all === "true") return [];
  const inPub = await publishedNames(client, publication);
  const missing = tables.filter((t) => !inPub.has(`${t.schema}\u0000${t.name}`));
  if (missing.length === 0) return [];
  const sql = `ALTER PUBLICATION ${quoteIdent(publication)} ADD TABLE ${missing.map(tableSql).join(", ")}`;
  try {
    await client.query(sql);
  } catch (err) {
    throw new AppError("VALIDATION", `The publication ${publication} does not include ${missing.map(tableSql).join(", ")} and they could not be added (${err instanceof Error ? err.message : String(err)}). Run as the tables' owner: ${sql};`);
  }
  log(`Added ${missing.map(tableSql).join(", ")} to publication ${publication}`);
  return missing;
}
