import pg from "pg";
import type { ConnectionOptions } from "node:tls";
import type { TIntegration } from "@/db/schema";
import { unseal } from "@/lib/crypto";

export type TSslMode = "disable" | "require" | "verify-ca" | "verify-full";

/** Everything needed to reach a source database; secrets decrypted, in memory only. */
export type TSourceConnection = {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  sslMode: TSslMode;
  sslCa?: string | null;
  ssh?: { host: string; port: number; user: string; privateKey: string; knownHostKey?: string | null } | null;
  connectTimeoutMs?: number;
};

/** Decrypts an integration's stored credentials into a connection (SSH key supplied by the caller). */
export function connectionFromIntegration(row: TIntegration, sshPrivateKey?: string | null): TSourceConnection {
  return {
    host: row.host,
    port: row.port,
    user: row.username,
    password: unseal(row.passwordEnc),
    database: row.database,
    sslMode: row.sslMode,
    sslCa: row.sslCa,
    ssh:
      row.sshEnabled && row.sshHost && row.sshUser && sshPrivateKey
        ? { host: row.sshHost, port: row.sshPort, user: row.sshUser, privateKey: sshPrivateKey, knownHostKey: row.sshHostKey }
        : null,
  };
}

/** node-postgres TLS options with libpq's sslmode meaning. */
export function tlsOptions(mode: TSslMode, ca: string | null | undefined, servername: string): false | ConnectionOptions {
  switch (mode) {
    case "disable":
      return false;
    case "require":
      return { rejectUnauthorized: false };
    case "verify-ca":
      // Chain checked against the CA, host name not.
      return { ca: ca ?? undefined, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case "verify-full":
      return { ca: ca ?? undefined, rejectUnauthorized: true, servername };
  }
}

/** Values stay text end to end: no Date, no float parsing (exactness; see ENGINEERING.md). */
export const TEXT_TYPES = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/**
 * Opens a client to one database of the source. The SSH tunnel (when configured) is part of this
 * function, so checks, discovery and jobs all go through it.
 */
export async function openSourceClient(conn: TSourceConnection, database = conn.database, opts: { replication?: "database"; applicationName?: string } = {}): Promise<{ client: pg.Client; close(): Promise<void> }> {
  const client = new pg.Client({
    host: conn.host,
    port: conn.port,
    user: conn.user,
    password: conn.password,
    database,
    ssl: tlsOptions(conn.sslMode, conn.sslCa, conn.host),
    connectionTimeoutMillis: conn.connectTimeoutMs ?? 10_000,
    application_name: opts.applicationName ?? "pgreplicate",
    types: TEXT_TYPES,
    ...(opts.replication ? { replication: opts.replication } : {}),
  } as pg.ClientConfig);
  await client.connect();
  return { client, close: () => client.end() };
}
