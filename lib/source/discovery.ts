import type pg from "pg";
import type { TCatalogColumn } from "@/db/schema";
import { quoteIdent } from "@/lib/naming/identifiers";
import { openSourceClient, type TSourceConnection } from "./connection";
import { columnsSql, DATABASES_SQL, relationsSql } from "./discovery-queries";
import { serverVersionNum } from "./server-version";

export type TRelationKind = "table" | "view" | "materialized_view" | "partitioned_table";

export type TDiscoveredRelation = {
  /** `"database"."schema"."name"`, each part quoted: unique within an integration. */
  tableKey: string;
  database: string;
  schema: string;
  name: string;
  kind: TRelationKind;
  rowEstimate: number | null;
  /** USAGE on the schema and SELECT on the table or on some of its columns. */
  accessible: boolean;
  columns: TCatalogColumn[];
};

export type TDiscoveredDatabase = { name: string; relations: TDiscoveredRelation[]; error: string | null };

export type TDiscovery = { databases: TDiscoveredDatabase[]; serverVersionNum: number; durationMs: number };

const KINDS: Record<string, TRelationKind> = { r: "table", v: "view", m: "materialized_view", p: "partitioned_table" };

export function tableKeyOf(database: string, schema: string, name: string): string {
  return `${quoteIdent(database)}.${quoteIdent(schema)}.${quoteIdent(name)}`;
}

type TRelationRow = { oid: string; schema: string; name: string; kind: string; row_estimate: string | null; accessible: boolean | string };
type TColumnRow = { oid: string; name: string; type: string; base_type: string; nullable: boolean | string; primary_key: boolean | string; readable: boolean | string };

/** Values arrive as text (openSourceClient's identity parsers): booleans are "t"/"f". */
function bool(v: boolean | string): boolean {
  return v === true || v === "t" || v === "true";
}

/** Lists one database's relations with their columns: two catalog queries, whatever the table count. */
export async function discoverDatabase(client: pg.Client, database: string, versionNum: number): Promise<TDiscoveredRelation[]> {
  const rels = await client.query<TRelationRow>(relationsSql(versionNum));
  const cols = await client.query<TColumnRow>(columnsSql(versionNum));
  const byOid = new Map<string, TCatalogColumn[]>();
  for (const c of cols.rows) {
    let list = byOid.get(c.oid);
    if (!list) byOid.set(c.oid, (list = []));
    list.push({
      name: c.name,
      type: c.type,
      baseType: c.base_type,
      nullable: bool(c.nullable),
      primaryKey: bool(c.primary_key),
      supported: true,
      readable: bool(c.readable),
    });
  }
  return rels.rows.map((r) => ({
    tableKey: tableKeyOf(database, r.schema, r.name),
    database,
    schema: r.schema,
    name: r.name,
    kind: KINDS[r.kind] ?? "table",
    rowEstimate: r.row_estimate === null ? null : Number(r.row_estimate),
    accessible: bool(r.accessible),
    columns: byOid.get(r.oid) ?? [],
  }));
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Discovers every database this user can connect to (templates and `rdsadmin` skipped): schemas,
 * tables, views, materialized views and partitioned parents, with columns. A database that refuses
 * the connection (pg_hba, a revoked CONNECT) is reported with its error; the others still come back.
 * The integration's own database must connect: its failure is thrown.
 */
export async function discoverSource(conn: TSourceConnection, opts: { concurrency?: number } = {}): Promise<TDiscovery> {
  const started = performance.now();
  const first = await openSourceClient(conn, conn.database, { applicationName: "pgreplicate discovery" });
  let names: string[];
  let versionNum: number;
  const results = new Map<string, TDiscoveredDatabase>();
  try {
    versionNum = await serverVersionNum(first.client);
    names = (await first.client.query<{ name: string }>(DATABASES_SQL)).rows.map((r) => r.name);
    if (!names.includes(conn.database)) names.push(conn.database);
    results.set(conn.database, { name: conn.database, relations: await discoverDatabase(first.client, conn.database, versionNum), error: null });
  } finally {
    await first.close().catch(() => undefined);
  }
  const others = names.filter((n) => n !== conn.database);
  let next = 0;
  const worker = async () => {
    while (next < others.length) {
      const name = others[next++]!;
      try {
        const c = await openSourceClient(conn, name, { applicationName: "pgreplicate discovery" });
        try {
          results.set(name, { name, relations: await discoverDatabase(c.client, name, versionNum), error: null });
        } finally {
          await c.close().catch(() => undefined);
        }
      } catch (err) {
        results.set(name, { name, relations: [], error: messageOf(err) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 3, others.length)) }, worker));
  const databases = [...results.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { databases, serverVersionNum: versionNum, durationMs: Math.round(performance.now() - started) };
}
