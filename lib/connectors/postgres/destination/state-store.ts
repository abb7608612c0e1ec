import { z } from "zod";
import { quoteEscapedLiteral as literal, quoteIdent } from "@/lib/naming/identifiers";
import { claimSchema } from "@/lib/destination/ownership";
import type { TReplicationState } from "../../types";
import { STATE_SCHEMA, STATE_TABLE } from "./ddl";
import { inTransaction, run, sqlState, type TPgSession } from "./session";

/**
 * Each table's replication state lives at the destination, in "_pgreplicate"."table_states"
 * (integration_id, table_key), so it commits in the same transaction as the rows it covers. Callers
 * mirror it to the app's table_states only after the write returned (the destination's copy wins).
 */
const stateTable = `${quoteIdent(STATE_SCHEMA)}.${quoteIdent(STATE_TABLE)}`;

const ZStateRow = z.object({ state: z.string() });
const ZState = z.record(z.string(), z.unknown());

/** The statement saving a table's state (literals: it may travel with other statements in one query). */
export function stateUpsertSql(integrationId: string, tableKey: string, state: TReplicationState): string {
  return `INSERT INTO ${stateTable} (integration_id, table_key, state, updated_at) VALUES (${literal(integrationId)}, ${literal(tableKey)}, ${literal(JSON.stringify(state))}::jsonb, now())
       ON CONFLICT (integration_id, table_key) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`;
}

/** Saves state inside the caller's transaction. */
export async function saveStateInTransaction(s: TPgSession, tableKey: string, state: TReplicationState): Promise<void> {
  await s.client.query(stateUpsertSql(s.opts.integrationId, tableKey, state));
}

/** Saves state alone, in its own transaction. */
export function saveState(s: TPgSession, tableKey: string, state: TReplicationState): Promise<void> {
  return inTransaction(s, () => saveStateInTransaction(s, tableKey, state));
}

export async function readState(s: TPgSession, tableKey: string): Promise<TReplicationState | null> {
  const res = await s.client.query(`SELECT state::text AS state FROM ${stateTable} WHERE integration_id = $1 AND table_key = $2`, [s.opts.integrationId, tableKey]);
  if (res.rows.length === 0) return null;
  return ZState.parse(JSON.parse(ZStateRow.parse(res.rows[0]).state));
}

/** The integration's schema (claimed for it) and the state table; idempotent. */
export async function prepareSchemaAndStateStore(s: TPgSession): Promise<void> {
  const exec = (sql: string) => run(s, sql);
  // Two jobs creating the same schema at once can collide on the catalog's unique index: retry once.
  for (let attempt = 0; ; attempt++) {
    try {
      await claimSchema(s.client, exec, s.opts.schema, s.opts.integrationId);
      await exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(STATE_SCHEMA)}`);
      await exec(
        `CREATE TABLE IF NOT EXISTS ${stateTable} (integration_id text NOT NULL, table_key text NOT NULL, state jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (integration_id, table_key))`,
      );
      return;
    } catch (err) {
      if (attempt >= 2 || sqlState(err) !== "23505") throw err;
    }
  }
}
