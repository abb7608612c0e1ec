import type pg from "pg";
import { quoteIdent, quoteLiteral } from "@/lib/naming/identifiers";
import { megabytes, RETAINED_WAL_SQL, retainedWalWarnBytes, retainedWalWarning } from "../retained-wal";
import { ownSlotName, preferredSlotName, publicationForSlot, slotNameCandidates } from "../slot-names";
import { item, type TCheckItem } from "./types";

export type TSlotFacts = {
  /** The slot this integration uses: its own slot or the first existing candidate, else the one to create. */
  name: string;
  /** The pgoutput publication that slot reads through (an integration's own slot uses the database's). */
  publication: string;
  exists: boolean;
  plugin: string | null;
  slotType: string | null;
  /** The database the found slot belongs to (a slot is per database). */
  database: string | null;
  activePid: number | null;
  activeApplication: string | null;
  publicationExists: boolean;
  publicationAllTables: boolean;
  publicationTables: number;
  /** WAL the found slot keeps on the source's disk (bytes; null on a standby or without a slot). */
  retainedBytes: number | null;
};

/**
 * `integrationSchema`: the integration's destination schema, when the report is for a saved integration;
 * its own slot (a second integration on this database, see ownSlotName) then comes first.
 */
export async function readSlotFacts(client: pg.Client, database: string, integrationSchema: string | null = null): Promise<TSlotFacts> {
  const candidates = [...(integrationSchema !== null ? [ownSlotName(database, integrationSchema)] : []), ...slotNameCandidates(database)];
  const { rows } = await client.query<{ slot_name: string; plugin: string | null; slot_type: string; database: string | null; active_pid: string | null; app: string | null; retained: string | null }>(
    `SELECT s.slot_name, s.plugin, s.slot_type, s.database, s.active_pid::text AS active_pid, (${RETAINED_WAL_SQL})::text AS retained,
            (SELECT application_name FROM pg_stat_activity a WHERE a.pid = s.active_pid) AS app
     FROM pg_replication_slots s WHERE s.slot_name = ANY($1::text[])`,
    [candidates],
  );
  // Prefer a candidate in this database, in candidate order; else report one found elsewhere.
  const here = candidates.map((c) => rows.find((r) => r.slot_name === c && r.database === database)).find(Boolean);
  const found = here ?? candidates.map((c) => rows.find((r) => r.slot_name === c)).find(Boolean) ?? null;
  // None yet: the setup guide's name (an integration's own slot is made by its first job, when needed).
  const name = found?.slot_name ?? preferredSlotName(database);
  const publication = publicationForSlot(name, database, integrationSchema);
  const pub = await client.query<{ puballtables: string; tables: string }>(
    "SELECT p.puballtables::text AS puballtables, (SELECT count(*) FROM pg_publication_tables t WHERE t.pubname = p.pubname)::text AS tables FROM pg_publication p WHERE p.pubname = $1",
    [publication],
  ).catch(() => ({ rows: [] as { puballtables: string; tables: string }[] }));
  return {
    name,
    publication,
    exists: Boolean(found),
    plugin: found?.plugin ?? null,
    slotType: found?.slot_type ?? null,
    database: found?.database ?? null,
    activePid: found?.active_pid ? Number(found.active_pid) : null,
    activeApplication: found?.app ?? null,
    publicationExists: pub.rows.length > 0,
    publicationAllTables: pub.rows[0]?.puballtables === "true",
    publicationTables: Number(pub.rows[0]?.tables ?? 0),
    retainedBytes: found?.retained ? Number(found.retained) : null,
  };
}

export function createSlotSql(name: string, plugin: "wal2json" | "pgoutput"): string {
  return `SELECT * FROM pg_create_logical_replication_slot(${quoteLiteral(name)}, ${quoteLiteral(plugin)});`;
}

/** `versionNum` 13+: partitioned tables publish through their root (one relation per table, see log-based/partitions.ts). */
export function createPublicationSql(name: string, versionNum = 0): string {
  const viaRoot = versionNum >= 130_000 ? " WITH (publish_via_partition_root = true)" : "";
  return `CREATE PUBLICATION ${quoteIdent(name)} FOR ALL TABLES${viaRoot};`;
}

const SLOT_WHY = "Log-based Replication reads changes from a dedicated logical replication slot (one per database, never shared: two readers of one slot lose changes).";

export function slotItem(s: TSlotFacts, opts: { database: string; walLogical: boolean; canCreate: boolean }): TCheckItem {
  const title = "Replication slot";
  const createFix = { kind: "sql" as const, text: `${createSlotSql(s.name, "wal2json")}\n-- or, with pgoutput and a publication:\n${createSlotSql(s.name, "pgoutput")}\n${createPublicationSql(s.publication)}` };
  if (!s.exists)
    return item({
      id: "slot",
      title,
      status: "fail",
      logBasedOnly: true,
      summary: `No slot named ${slotNameCandidates(opts.database).join(" or ")} exists.`,
      why: SLOT_WHY,
      fix: createFix,
      action: opts.walLogical && opts.canCreate ? "create_slot" : null,
    });
  if (s.database !== opts.database)
    return item({ id: "slot", title, status: "fail", logBasedOnly: true, summary: `The slot ${s.name} belongs to ${s.database ? `database ${s.database}` : "no database (physical)"}, not ${opts.database}.`, why: SLOT_WHY, fix: { kind: "text", text: `Use another database name's slot, or drop ${s.name} where it is no longer used: SELECT pg_drop_replication_slot(${quoteLiteral(s.name)});` } });
  if (s.plugin !== "wal2json" && s.plugin !== "pgoutput")
    return item({
      id: "slot",
      title,
      status: "fail",
      logBasedOnly: true,
      summary: `The slot ${s.name} uses the ${s.plugin ?? s.slotType} plugin; it must use wal2json or pgoutput.`,
      why: SLOT_WHY,
      fix: { kind: "sql", text: `SELECT pg_drop_replication_slot(${quoteLiteral(s.name)});\n${createSlotSql(s.name, "wal2json")}` },
    });
  if (s.retainedBytes !== null && s.retainedBytes > retainedWalWarnBytes()) {
    const w = retainedWalWarning(s.name, s.retainedBytes);
    return item({ id: "slot", title, status: "warn", logBasedOnly: true, summary: w.summary, why: SLOT_WHY, fix: { kind: "text", text: w.fix } });
  }
  if (s.activePid !== null)
    return item({
      id: "slot",
      title,
      status: "warn",
      logBasedOnly: true,
      summary: `The slot ${s.name} (${s.plugin}) is in use by process ${s.activePid}${s.activeApplication ? ` (${s.activeApplication})` : ""}. If that is not this integration's running job, another consumer shares the slot and changes will be lost.`,
      why: SLOT_WHY,
    });
  const retained = s.retainedBytes === null ? "" : `; it retains ${megabytes(s.retainedBytes)} of WAL`;
  return item({ id: "slot", title, status: "pass", logBasedOnly: true, summary: `The slot ${s.name} exists in ${opts.database} and uses ${s.plugin}${retained}.`, why: SLOT_WHY });
}

export function publicationItem(s: TSlotFacts, opts: { canCreate: boolean }): TCheckItem {
  const title = "Publication (pgoutput)";
  const why = "With pgoutput, only tables in the slot's publication are streamed.";
  if (s.exists && s.plugin === "wal2json") return item({ id: "publication", title, status: "skip", logBasedOnly: true, summary: "The slot uses wal2json, which needs no publication.", why });
  if (s.publicationExists)
    return item({ id: "publication", title, status: "pass", logBasedOnly: true, summary: `Publication ${s.publication} covers ${s.publicationAllTables ? "all tables" : `${s.publicationTables} table(s)`}.`, why });
  const fix = { kind: "sql" as const, text: `${createPublicationSql(s.publication)}\n-- or only some tables: CREATE PUBLICATION ${quoteIdent(s.publication)} FOR TABLE <schema>.<table>, …;` };
  return item({
    id: "publication",
    title,
    status: s.exists ? "fail" : "warn",
    logBasedOnly: true,
    summary: s.exists ? `The slot uses pgoutput but there is no publication named ${s.publication}.` : `No publication named ${s.publication}: needed if the slot is created with pgoutput.`,
    why,
    fix,
    action: opts.canCreate ? "create_publication" : null,
  });
}

/** Reads (without consuming) one change from the slot, as the seed's verification step does. */
export async function peekItem(client: pg.Client, s: TSlotFacts, database: string): Promise<TCheckItem> {
  const title = "Slot readable by this user";
  const why = "The extraction reads the slot as this user; peeking proves it can without consuming changes.";
  if (!s.exists || s.database !== database || (s.plugin !== "wal2json" && s.plugin !== "pgoutput"))
    return item({ id: "peek", title, status: "skip", logBasedOnly: true, summary: "No usable slot to read yet.", why });
  if (s.activePid !== null) return item({ id: "peek", title, status: "skip", logBasedOnly: true, summary: `The slot is in use by process ${s.activePid}; it cannot be peeked now.`, why });
  if (s.plugin === "pgoutput" && !s.publicationExists) return item({ id: "peek", title, status: "skip", logBasedOnly: true, summary: "pgoutput needs the publication before the slot can be read.", why });
  const sql =
    s.plugin === "wal2json"
      ? "SELECT count(*) FROM pg_logical_slot_peek_changes($1, NULL, 1)"
      : "SELECT count(*) FROM pg_logical_slot_peek_binary_changes($1, NULL, 1, 'proto_version', '1', 'publication_names', $2)";
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL statement_timeout = '20s'");
    await client.query(sql, s.plugin === "wal2json" ? [s.name] : [s.name, quoteIdent(s.publication)]);
    await client.query("COMMIT");
    return item({ id: "peek", title, status: "pass", logBasedOnly: true, summary: `Peeked ${s.name} successfully.`, why });
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    const msg = (e as Error).message;
    const fix = /may not be used as an output plugin/.test(msg)
      ? { kind: "postgresql.conf" as const, text: "output_plugin_libraries = 'pgoutput, test_decoding, wal2json'\n# then reload: SELECT pg_reload_conf();" }
      : { kind: "text" as const, text: `As the database user, this must work: SELECT COUNT(*) FROM pg_logical_slot_peek_changes(${quoteLiteral(s.name)}, null, null);` };
    return item({ id: "peek", title, status: /statement timeout/.test(msg) ? "warn" : "fail", logBasedOnly: true, summary: `Reading ${s.name} failed: ${msg}.`, why, fix });
  }
}
