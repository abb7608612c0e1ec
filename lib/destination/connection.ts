import pg from "pg";
import type { ConnectionOptions } from "node:tls";
import type { TDestination } from "@/db/schema";
import { SECRET_CONTEXT, unseal } from "@/lib/crypto";
import { TEXT_TYPES, tlsOptions, type TSslMode } from "@/lib/source/connection";
import { TEXT_SESSION_SQL } from "@/lib/connectors/postgres/destination/text-session";

/** Everything needed to reach the team's destination; the password decrypted, in memory only. */
export type TDestinationConnection = {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  ssl: boolean;
  /**
   * libpq's sslmode, as the source form offers it. Absent (connections built before it existed): `ssl`
   * with a CA is verify-ca, without one require.
   */
  sslMode?: TSslMode;
  /** A CA (or the server's certificate) the server's certificate must verify against. */
  sslCa?: string | null;
  connectTimeoutMs?: number;
};

export function destinationConnectionFromRow(row: TDestination): TDestinationConnection {
  return {
    host: row.host,
    port: row.port,
    user: row.username,
    password: unseal(row.passwordEnc, SECRET_CONTEXT.destinationPassword(row.teamId)),
    database: row.database,
    ssl: row.sslMode !== "disable",
    sslMode: row.sslMode,
    sslCa: row.sslCa,
  };
}

/** The connection's sslmode (see TDestinationConnection.sslMode for connections without one). */
export function destinationSslMode(conn: Pick<TDestinationConnection, "ssl" | "sslMode" | "sslCa">): TSslMode {
  if (conn.sslMode) return conn.sslMode;
  if (!conn.ssl) return "disable";
  return conn.sslCa?.trim() ? "verify-ca" : "require";
}

/** node-postgres TLS options with libpq's sslmode meaning (verify-full checks the host name). */
export function destinationTls(conn: Pick<TDestinationConnection, "host" | "ssl" | "sslMode" | "sslCa">): false | ConnectionOptions {
  return tlsOptions(destinationSslMode(conn), conn.sslCa?.trim() ? conn.sslCa : null, conn.host);
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
