import pg from "pg";
import { randomBytes } from "node:crypto";
import { TEXT_TYPES, tlsOptions, type TSourceConnection } from "@/lib/source/connection";
import { openSshTunnel } from "@/lib/source/ssh-tunnel";
import { REPLICATION_SESSION_OPTIONS } from "./session-options";
import { parseLsn, type TLsn } from "../lsn";

/**
 * A consistent point for first copies: a temporary logical slot created with an exported snapshot.
 * Every transaction that commits before `lsn` is visible in `snapshot`, every one after it is not, so a
 * copy made in that snapshot plus the changes committed from `lsn` on is exact — nothing lost, nothing
 * applied twice (which matters for tables without a key, whose changes are appended). The snapshot lives
 * while this connection stays open and idle; the temporary slot goes away with it.
 */
export type TCopySnapshot = { snapshot: string; lsn: TLsn; lsnText: string; close(): Promise<void> };

export async function openCopySnapshot(conn: TSourceConnection, database: string): Promise<TCopySnapshot> {
  const tunnel = conn.ssh ? await openSshTunnel(conn.ssh, { host: conn.host, port: conn.port }) : null;
  const client = new pg.Client({
    host: tunnel?.localHost ?? conn.host,
    port: tunnel?.localPort ?? conn.port,
    user: conn.user,
    password: conn.password,
    database,
    ssl: tlsOptions(conn.sslMode, conn.sslCa, conn.host),
    connectionTimeoutMillis: conn.connectTimeoutMs ?? 10_000,
    application_name: "pgreplicate-copy-snapshot",
    types: TEXT_TYPES,
    options: REPLICATION_SESSION_OPTIONS,
    replication: "database",
  } as pg.ClientConfig);
  client.on("error", () => undefined);
  const close = async () => {
    await client.end().catch(() => undefined);
    await tunnel?.close().catch(() => undefined);
  };
  try {
    await client.connect();
    const name = `pgreplicate_copy_${randomBytes(6).toString("hex")}`;
    const res = await client.query<{ consistent_point: string; snapshot_name: string }>(`CREATE_REPLICATION_SLOT "${name}" TEMPORARY LOGICAL pgoutput EXPORT_SNAPSHOT`);
    const row = res.rows[0];
    if (!row?.snapshot_name) throw new Error("The server exported no snapshot");
    return { snapshot: row.snapshot_name, lsn: parseLsn(row.consistent_point), lsnText: row.consistent_point, close };
  } catch (err) {
    await close();
    throw err;
  }
}
