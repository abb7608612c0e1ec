import type pg from "pg";
import { openDestinationClient } from "@/lib/destination/connection";
import { openSourceReader } from "@/lib/connectors/postgres/source/session";
import type { TVerifyOptions } from "./types";

/** One destination client and one source client per database (text values, the shared session settings). */
export type TVerifyConnections = {
  dst: pg.Client;
  source(database: string): Promise<pg.Client>;
  close(): Promise<void>;
};

export async function openVerifyConnections(opts: Pick<TVerifyOptions, "source" | "destination">): Promise<TVerifyConnections> {
  const dst = await openDestinationClient(opts.destination, "pgreplicate-verify");
  const sources = new Map<string, Promise<{ client: pg.Client; close(): Promise<void> }>>();
  return {
    dst,
    async source(database) {
      let s = sources.get(database);
      if (!s) {
        s = openSourceReader(opts.source, database);
        sources.set(database, s);
      }
      return (await s).client;
    },
    async close() {
      for (const s of sources.values()) await s.then((x) => x.close()).catch(() => undefined);
      await dst.end().catch(() => undefined);
    },
  };
}

/** The source's WAL position now (a standby: the position it has replayed). */
export async function sourcePosition(client: pg.Client): Promise<string | null> {
  const res = await client.query<{ lsn: string | null }>(
    `SELECT (CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn() ELSE pg_catalog.pg_current_wal_lsn() END)::text AS lsn`,
  );
  return res.rows[0]?.lsn ?? null;
}

/** A Log-based table's committed position at the destination (its saved state's LSN), or null. */
export async function destinationPosition(dst: pg.Client, integrationId: string, tableKey: string): Promise<string | null> {
  const exists = await dst.query<{ t: string | null }>(`SELECT to_regclass('"_pgreplicate"."table_states"')::text AS t`);
  if (!exists.rows[0]?.t) return null;
  const res = await dst.query<{ lsn: string | null }>(`SELECT state->>'lsn' AS lsn FROM "_pgreplicate"."table_states" WHERE integration_id = $1 AND table_key = $2`, [integrationId, tableKey]);
  return res.rows[0]?.lsn ?? null;
}
