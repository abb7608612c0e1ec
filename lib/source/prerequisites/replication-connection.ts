import type pg from "pg";
import { quoteIdent } from "@/lib/naming/identifiers";
import { openSourceClient, type TSourceConnection } from "../connection";
import { SourceConnectionError } from "../errors";
import { item, type TCheckItem } from "./types";

const WHY = "Log-based jobs stream changes over a replication connection (a WAL sender), which pg_hba.conf and max_wal_senders must allow.";

/**
 * Opens a logical replication connection (replication=database) as the user and runs IDENTIFY_SYSTEM,
 * as a log-based job will; a refusal comes with the pg_hba.conf line for the address the server sees.
 */
export async function replicationConnectionItem(client: pg.Client, conn: TSourceConnection | null, ready: boolean): Promise<TCheckItem> {
  const title = "Replication connection";
  if (!conn) return item({ id: "replication_connection", title, status: "skip", logBasedOnly: true, summary: "Not checked here.", why: WHY });
  if (!ready) return item({ id: "replication_connection", title, status: "skip", logBasedOnly: true, summary: "Checked once wal_level is logical and the user may replicate.", why: WHY });
  let session: Awaited<ReturnType<typeof openSourceClient>> | null = null;
  try {
    session = await openSourceClient(conn, conn.database, { replication: "database", applicationName: "pgreplicate-check" });
    await session.client.query("IDENTIFY_SYSTEM");
    return item({ id: "replication_connection", title, status: "pass", logBasedOnly: true, summary: `${conn.user} can open a replication connection to ${conn.database}.`, why: WHY });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const { rows } = await client.query<{ addr: string | null }>("SELECT host(inet_client_addr()) AS addr").catch(() => ({ rows: [{ addr: null }] }));
    const addr = rows[0]?.addr;
    const hba = /pg_hba\.conf/.test(msg) || (e instanceof SourceConnectionError && e.step === "authentication");
    return item({
      id: "replication_connection",
      title,
      status: "fail",
      logBasedOnly: true,
      summary: `A replication connection was refused: ${msg}`,
      why: WHY,
      fix: hba
        ? { kind: "pg_hba.conf", text: `host ${quoteIdent(conn.database)} ${quoteIdent(conn.user)} ${addr ? (addr.includes(":") ? `${addr}/128` : `${addr}/32`) : "<this server's address>/32"} scram-sha-256\n# then reload: SELECT pg_reload_conf();` }
        : null,
    });
  } finally {
    await session?.close();
  }
}
