import type pg from "pg";
import { AppError } from "@/lib/errors";
import { quoteLiteral } from "@/lib/naming/identifiers";
import { parseLsn, type TLsn } from "../lsn";
import { preferredSlotName, slotNameCandidates } from "@/lib/source/slot-names";
import type { TPluginName } from "../decode/plugins";
import { RETAINED_WAL_SQL } from "@/lib/source/retained-wal";

export type TSlotInfo = { name: string; plugin: TPluginName; confirmedFlush: TLsn; restartLsn: TLsn | null; activePid: number | null };

type TSlotRow = { slot_name: string; plugin: string; confirmed_flush_lsn: string | null; restart_lsn: string | null; active_pid: string | number | null };

function toInfo(r: TSlotRow): TSlotInfo {
  if (r.plugin !== "wal2json" && r.plugin !== "pgoutput") {
    throw new AppError("VALIDATION", `Replication slot ${r.slot_name} uses the output plugin ${r.plugin}; Log-based Replication reads wal2json or pgoutput slots. Drop it and let the next job create it: SELECT pg_drop_replication_slot(${quoteLiteral(r.slot_name)});`);
  }
  return {
    name: r.slot_name,
    plugin: r.plugin,
    confirmedFlush: parseLsn(r.confirmed_flush_lsn ?? "0/0"),
    restartLsn: r.restart_lsn ? parseLsn(r.restart_lsn) : null,
    activePid: r.active_pid === null ? null : Number(r.active_pid),
  };
}

/** The integration's slot in the connected database (`stitch_<db>`, then `stitch`), or null. */
export async function findSlot(client: pg.Client, database: string): Promise<TSlotInfo | null> {
  const names = slotNameCandidates(database);
  const res = await client.query<TSlotRow>(
    `SELECT slot_name, plugin, confirmed_flush_lsn::text, restart_lsn::text, active_pid
       FROM pg_catalog.pg_replication_slots
      WHERE slot_type = 'logical' AND database = current_database() AND slot_name = ANY($1::text[])`,
    [names],
  );
  for (const name of names) {
    const row = res.rows.find((r) => r.slot_name === name);
    if (row) return toInfo(row);
  }
  return null;
}

/** A slot by name in the connected database, or null. */
export async function slotIfExists(client: pg.Client, name: string): Promise<TSlotInfo | null> {
  const res = await client.query<TSlotRow>(
    `SELECT slot_name, plugin, confirmed_flush_lsn::text, restart_lsn::text, active_pid FROM pg_catalog.pg_replication_slots WHERE slot_name = $1 AND database = current_database()`,
    [name],
  );
  return res.rows[0] ? toInfo(res.rows[0]) : null;
}

export async function readSlot(client: pg.Client, name: string): Promise<TSlotInfo> {
  const res = await client.query<TSlotRow>(
    `SELECT slot_name, plugin, confirmed_flush_lsn::text, restart_lsn::text, active_pid FROM pg_catalog.pg_replication_slots WHERE slot_name = $1`,
    [name],
  );
  const row = res.rows[0];
  if (!row) throw new AppError("NOT_FOUND", `Replication slot ${name} no longer exists`);
  return toInfo(row);
}

/**
 * Creates `stitch_<db>`: with wal2json when the server can load it (the setup guide's plugin), else with
 * pgoutput (built in; RDS, Cloud SQL and the embedded server offer it without installing anything).
 */
export async function createSlot(client: pg.Client, database: string, log: (msg: string) => void, opts: { name?: string; plugins?: TPluginName[] } = {}): Promise<TSlotInfo> {
  const name = opts.name ?? preferredSlotName(database);
  const errors: string[] = [];
  for (const plugin of opts.plugins ?? (["wal2json", "pgoutput"] as const)) {
    try {
      // A savepoint-free, autocommit call: a failure leaves nothing behind.
      await client.query(`SELECT pg_catalog.pg_create_logical_replication_slot($1, $2)`, [name, plugin]);
      log(`Created replication slot ${name} with the ${plugin} output plugin`);
      return readSlot(client, name);
    } catch (err) {
      errors.push(`${plugin}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new AppError(
    "VALIDATION",
    `Could not create the replication slot ${name} (${errors.join("; ")}). Create it as a superuser: SELECT * FROM pg_create_logical_replication_slot(${quoteLiteral(name)}, 'wal2json');`,
  );
}

/** Moves a slot that nothing depends on yet to the current position (no replay of old changes). */
export async function advanceSlot(client: pg.Client, name: string, to: string): Promise<void> {
  await client.query(`SELECT pg_catalog.pg_replication_slot_advance($1, $2::pg_lsn)`, [name, to]);
}

/**
 * The position a batch-mode read goes up to: a tiny non-transactional logical message written now (its
 * end is a record boundary the decoder reaches exactly, and it works under asynchronous commit, where
 * the write position lags behind committed transactions). Falls back to the insert position.
 */
export async function markReadTarget(client: pg.Client): Promise<{ lsn: TLsn; text: string }> {
  try {
    const res = await client.query<{ lsn: string }>(`SELECT pg_catalog.pg_logical_emit_message(false, 'pgreplicate', 'batch read target')::text AS lsn`);
    const text = res.rows[0]!.lsn;
    return { lsn: parseLsn(text), text };
  } catch {
    const res = await client.query<{ lsn: string }>(`SELECT pg_catalog.pg_current_wal_insert_lsn()::text AS lsn`);
    const text = res.rows[0]!.lsn;
    return { lsn: parseLsn(text), text };
  }
}

/** The write position of the server's WAL now. */
export async function currentWalLsn(client: pg.Client): Promise<{ lsn: TLsn; text: string }> {
  const res = await client.query<{ lsn: string }>(`SELECT pg_catalog.pg_current_wal_lsn()::text AS lsn`);
  const text = res.rows[0]!.lsn;
  return { lsn: parseLsn(text), text };
}

/** Bytes of WAL the slot keeps on the source's disk. */
export async function retainedWalBytes(client: pg.Client, name: string): Promise<number> {
  const res = await client.query<{ bytes: string | null }>(`SELECT (${RETAINED_WAL_SQL})::text AS bytes FROM pg_catalog.pg_replication_slots s WHERE s.slot_name = $1`, [name]);
  return Number(res.rows[0]?.bytes ?? 0);
}

/** The slot once no connection reads it (a reader that ended a moment ago may still hold it until the server notices). */
export async function waitForSlotRelease(client: pg.Client, name: string): Promise<TSlotInfo> {
  let slot = await readSlot(client, name);
  for (let i = 0; i < 30 && slot.activePid !== null; i++) {
    await new Promise((r) => setTimeout(r, 500));
    slot = await readSlot(client, name);
  }
  if (slot.activePid !== null) {
    throw new Error(`Replication slot ${name} is in use by another connection (pid ${slot.activePid}). A slot must have one reader only: two readers lose changes.`);
  }
  return slot;
}
