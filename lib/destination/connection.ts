import pg from "pg";
import type { ConnectionOptions } from "node:tls";
import type { TDestination } from "@/db/schema";
import { SECRET_CONTEXT, unseal } from "@/lib/crypto";
import { TEXT_TYPES } from "@/lib/source/connection";
import { TEXT_SESSION_SQL } from "@/lib/connectors/postgres/destination/text-session";

/** Everything needed to reach the team's destination; the password decrypted, in memory only. */
export type TDestinationConnection = {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  ssl: boolean;
  /** A CA (or the server's certificate) the server's certificate must verify against. */
  sslCa?: string | null;
  connectTimeoutMs?: number;
};

export function destinationConnectionFromRow(row: TDestination): TDestinationConnection {
  return { host: row.host, port: row.port, user: row.username, password: unseal(row.passwordEnc, SECRET_CONTEXT.destinationPassword(row.teamId)), database: row.database, ssl: row.ssl, sslCa: row.sslCa };
}

/** SSL off; on without a certificate (encrypted, not verified); on with one (the chain must verify against it). */
export function destinationTls(conn: Pick<TDestinationConnection, "ssl" | "sslCa">): false | ConnectionOptions {
  if (!conn.ssl) return false;
  if (!conn.sslCa?.trim()) return { rejectUnauthorized: false };
  return { ca: conn.sslCa, rejectUnauthorized: true, checkServerIdentity: () => undefined };
}

/** A connected client with values as text and the session settings that keep text output exact. */
export async function openDestinationClient(conn: TDestinationConnection, applicationName = "pgreplicate-loader"): Promise<pg.Client> {
  const client = new pg.Client({
    host: conn.host,
    port: conn.port,
    user: conn.user,
    password: conn.password,
    database: conn.database,
    ssl: destinationTls(conn),
    connectionTimeoutMillis: conn.connectTimeoutMs ?? 10_000,
    application_name: applicationName,
    types: TEXT_TYPES,
  });
  client.on("error", () => {
    /* surfaced by the query that was running */
  });
  await client.connect();
  try {
    await client.query(TEXT_SESSION_SQL);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}
