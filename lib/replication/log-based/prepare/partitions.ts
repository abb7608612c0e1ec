import type pg from "pg";
import { quoteIdent } from "@/lib/naming/identifiers";
import type { TJobLogger } from "@/lib/jobs/log";
import type { TStreamTable } from "../decode/plugins";

/**
 * Every partition below a partitioned table (sub-partitions too): logical decoding reports a change under
 * the partition that holds the row, never under the root, unless a pgoutput publication publishes via the
 * root. Empty for an ordinary table. pg_inherits walks PostgreSQL 10+; partitions are inheritance children.
 */
export async function readPartitions(client: pg.Client, schema: string, name: string): Promise<TStreamTable[]> {
  const res = await client.query<{ schema: string; name: string }>(
    `WITH RECURSIVE tree AS (
       SELECT i.inhrelid AS oid FROM pg_catalog.pg_inherits i WHERE i.inhparent = $1::regclass
       UNION
       SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent = t.oid
     )
     SELECT n.nspname AS schema, c.relname AS name
       FROM tree JOIN pg_catalog.pg_class c ON c.oid = tree.oid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE (SELECT relkind FROM pg_catalog.pg_class WHERE oid = $1::regclass) = 'p'
      ORDER BY 1, 2`,
    [`${quoteIdent(schema)}.${quoteIdent(name)}`],
  );
  return res.rows.map((r) => ({ schema: r.schema, name: r.name }));
}

/** Partitions that hold rows themselves (a sub-partitioned parent holds none: its partitions are listed too). */
async function partitionsWithRows(client: pg.Client, partitions: TStreamTable[]): Promise<TStreamTable[]> {
  const out: TStreamTable[] = [];
  for (const p of partitions) {
    const rows = await client.query(`SELECT 1 FROM ONLY ${quoteIdent(p.schema)}.${quoteIdent(p.name)} LIMIT 1`);
    if (rows.rows.length > 0) out.push(p);
  }
  return out;
}

/** How a partition is named in saved state: schema-qualified and quoted, so it reads as SQL in the log. */
export function partitionId(p: TStreamTable): string {
  return `${quoteIdent(p.schema)}.${quoteIdent(p.name)}`;
}

/**
 * Why a table's copy no longer matches its partitions, or null. Rows a partition brings when attached, or
 * takes away when detached or dropped, never pass through the change stream: such a table is copied again.
 * A new partition without rows (created as a partition, or attached empty) needs nothing: its rows arrive
 * as changes; it is said in the log. A table copied before partitions were recorded has nothing to compare.
 */
export async function partitionChangeReason(client: pg.Client, log: TJobLogger, table: string, saved: string[] | undefined, now: TStreamTable[]): Promise<string | null> {
  if (!saved) return null;
  const before = new Set(saved);
  const current = new Set(now.map(partitionId));
  const gone = saved.filter((p) => !current.has(p));
  const fresh = now.filter((p) => !before.has(partitionId(p)));
  const filled = (await partitionsWithRows(client, fresh)).map(partitionId);
  if (gone.length === 0 && filled.length === 0) {
    if (fresh.length > 0) log.info("tap", `${table}: new partition(s) ${fresh.map(partitionId).join(", ")}; their changes are read with the table's`);
    return null;
  }
  const parts = [
    filled.length > 0 ? `new partition(s) ${filled.join(", ")} already holding rows` : null,
    gone.length > 0 ? `partition(s) ${gone.join(", ")} detached or dropped` : null,
  ].filter(Boolean);
  return `${table}: ${parts.join("; ")} since the last copy. Those rows were never changes in the replication stream, so the table is copied again and replaces the destination table atomically`;
}

/** pgoutput can publish a partitioned table only from PostgreSQL 13 (10–12 refuse it in a publication). */
export const PGOUTPUT_PARTITIONS_MIN_VERSION = 130_000;

export function pgoutputPartitionsError(versionNum: number, table: string): string {
  const major = Math.floor(versionNum / 10_000);
  return `${table} is a partitioned table: PostgreSQL ${major} cannot publish one through pgoutput (13 and later can). Replicate it with a wal2json slot, or with Key-based Incremental or Full Table`;
}

/**
 * A publication that carries partitioned tables publishes their changes under the root's name
 * (`publish_via_partition_root`, PostgreSQL 13+): one relation, one column layout, whatever partition holds
 * the row. Changes decoded before the setting changed still name the partition: the applier maps those too.
 */
export async function publishViaPartitionRoot(client: pg.Client, publication: string, log: (msg: string) => void): Promise<void> {
  const res = await client.query<{ via_root: string }>(`SELECT pubviaroot::text AS via_root FROM pg_catalog.pg_publication WHERE pubname = $1`, [publication]);
  const row = res.rows[0];
  if (!row || row.via_root === "true") return;
  const sql = `ALTER PUBLICATION ${quoteIdent(publication)} SET (publish_via_partition_root = true)`;
  try {
    await client.query(sql);
  } catch (err) {
    throw new Error(`Publication ${publication} must publish partitioned tables through their root and could not be changed (${err instanceof Error ? err.message : String(err)}). Run as its owner: ${sql};`);
  }
  log(`Publication ${publication} now publishes partitioned tables through their root table (publish_via_partition_root)`);
}
