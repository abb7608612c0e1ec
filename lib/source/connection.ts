import pg from "pg";
import net from "node:net";
import { checkServerIdentity, type ConnectionOptions } from "node:tls";
import type { TIntegration } from "@/db/schema";
import { SECRET_CONTEXT, unseal } from "@/lib/crypto";
import { SourceConnectionError } from "./errors";
import { openSshTunnel } from "./ssh-tunnel";
import { classifyConnectError } from "./connect-errors";

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

/**
 * Decrypts an integration's stored credentials into a connection (SSH key supplied by the caller). The
 * password is bound to the row (v2); one sealed before that (v1) is still read, and bound on the next save.
 */
export function connectionFromIntegration(row: TIntegration, sshPrivateKey?: string | null): TSourceConnection {
  return {
    host: row.host,
    port: row.port,
    user: row.username,
    password: unseal(row.passwordEnc, SECRET_CONTEXT.integrationPassword(row)),
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
      // The name checked is the database's own, even when connecting through a tunnel's loopback port.
      return {
        ca: ca ?? undefined,
        rejectUnauthorized: true,
        ...(net.isIP(servername) ? {} : { servername }),
        checkServerIdentity: (_host, cert) => checkServerIdentity(servername, cert),
      };
  }
}

/** Values stay text end to end: no Date, no float parsing (exactness; see ENGINEERING.md). */
export const TEXT_TYPES: pg.CustomTypesConfig = {
  // pg's overloads declare one parser type per format; every format here yields the raw text.
  getTypeParser: <T>(): ((value: string) => T) => (value: string) => value as T,
};

export type TSourceEndpoint = {
  /** Where a pg client connects: the database itself, or the loopback end of the SSH tunnel. */
  host: string;
  port: number;
  /** The SSH server's host key seen on this connect (store it at first connect), or null without SSH. */
  sshHostKey: string | null;
  /** Set when the tunnel could not reach the database (explains a pg "connection terminated"). */
  forwardError(): SourceConnectionError | null;
  close(): Promise<void>;
};

/**
 * The address to give a pg client (or a replication stream) for this source: the database directly,
 * or a loopback port forwarded through the SSH tunnel. Close it after the client.
 */
export async function openSourceEndpoint(conn: TSourceConnection): Promise<TSourceEndpoint> {
  if (!conn.ssh) return { host: conn.host, port: conn.port, sshHostKey: null, forwardError: () => null, close: async () => undefined };
  const tunnel = await openSshTunnel(conn.ssh, { host: conn.host, port: conn.port }, conn.connectTimeoutMs ?? 10_000);
  return { host: tunnel.localHost, port: tunnel.localPort, sshHostKey: tunnel.hostKey, forwardError: tunnel.lastForwardError, close: tunnel.close };
}

/**
 * Opens a client to one database of the source. The SSH tunnel (when configured) is part of this
 * function, so checks, discovery and jobs all go through it. Connection failures throw a
 * SourceConnectionError naming the failed step (dns, tcp, ssh, tls, authentication, database).
 */
export async function openSourceClient(
  conn: TSourceConnection,
  database = conn.database,
  opts: { replication?: "database"; applicationName?: string } = {},
): Promise<{ client: pg.Client; close(): Promise<void>; sshHostKey: string | null }> {
  const endpoint = await openSourceEndpoint(conn);
  const timeoutMs = conn.connectTimeoutMs ?? 10_000;
  const client = new pg.Client({
    host: endpoint.host,
    port: endpoint.port,
    user: conn.user,
    password: conn.password,
    database,
    ssl: tlsOptions(conn.sslMode, conn.sslCa, conn.host),
    connectionTimeoutMillis: timeoutMs,
    application_name: opts.applicationName ?? "pgreplicate",
    types: TEXT_TYPES,
    ...(opts.replication ? { replication: opts.replication } : {}),
  } as pg.ClientConfig);
  // A dropped server connection later must not crash the process; the next query reports it.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await endpoint.close().catch(() => undefined);
    throw endpoint.forwardError() ?? classifyConnectError(err, { host: conn.host, port: conn.port, user: conn.user, database, sslMode: conn.sslMode, timeoutMs });
  }
  return {
    client,
    sshHostKey: endpoint.sshHostKey,
    close: async () => {
      await client.end().catch(() => undefined);
      await endpoint.close();
    },
  };
}
