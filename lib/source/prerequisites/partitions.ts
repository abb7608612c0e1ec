import type pg from "pg";
import { item, type TCheckItem } from "./types";

const TITLE = "Partitioned tables";
const WHY = "Logical decoding reports a partitioned table's changes under the partition holding each row: Log-based Replication maps them back to the table it tracks.";

/**
 * Partitioned tables under Log-based Replication: wal2json reads their partitions (any version with
 * partitioning); pgoutput publishes them through their root table only from PostgreSQL 13
 * (publish_via_partition_root), and 10–12 refuse one in a publication.
 */
export async function partitionsItem(client: pg.Client, versionNum: number, slotPlugin: string | null): Promise<TCheckItem> {
  if (versionNum < 100_000) return item({ id: "partitions", title: TITLE, status: "pass", logBasedOnly: true, summary: "This server version has no declarative partitioning.", why: WHY });
  const { rows } = await client.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'p' AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND has_table_privilege(c.oid, 'SELECT')
      ORDER BY 1 LIMIT 26`,
  );
  if (rows.length === 0) return item({ id: "partitions", title: TITLE, status: "pass", logBasedOnly: true, summary: "No readable partitioned table.", why: WHY });
  const names = `${rows.slice(0, 25).map((r) => r.name).join(", ")}${rows.length > 25 ? ", …" : ""}`;
  if (versionNum >= 130_000 || slotPlugin === "wal2json") {
    const how = slotPlugin === "wal2json" ? "wal2json reads each one's partitions" : "pgoutput publishes each one through its root table (the first job sets publish_via_partition_root on the publication)";
    return item({
      id: "partitions",
      title: TITLE,
      status: "pass",
      logBasedOnly: true,
      summary: `${names}: replicated as one table each under Log-based; ${how}. A partition attached with rows, detached or dropped makes the next job copy the table again.`,
      why: WHY,
    });
  }
  return item({
    id: "partitions",
    title: TITLE,
    status: "warn",
    logBasedOnly: true,
    summary: `${names}: PostgreSQL ${Math.floor(versionNum / 10_000)} cannot publish a partitioned table through pgoutput (13 and later can), so Log-based through pgoutput fails for these tables; the others are not affected.`,
    why: WHY,
    fix: { kind: "text", text: "Use a wal2json replication slot for this database, or replicate these tables with Key-based Incremental or Full Table, or upgrade to PostgreSQL 13 or later." },
  });
}
