import type { TJobLogger } from "@/lib/jobs/log";
import { quoteIdent } from "@/lib/naming/identifiers";
import type { TSourceConnection } from "@/lib/source/connection";
import { dropSlotSql, RETAINED_WAL_SQL, retainedWalWarnBytes, retainedWalWarning } from "@/lib/source/retained-wal";
import { ownSlotName, slotNameCandidates } from "@/lib/source/slot-names";
import { openSourceReader } from "./session";

/**
 * A database where no table of this integration uses Log-based Replication any more may still hold the
 * slot its jobs used to read: nothing reads it now, and it keeps WAL on the source until it is dropped.
 * Past the retained-WAL threshold each job says so, with the statement to drop it. (Not dropped here: the
 * setup guide's `stitch_<db>` slot may have another reader.) A failed check is logged, never fatal.
 */
export async function warnAboutUnreadSlots(opts: { conn: TSourceConnection; databases: string[]; integrationSchema: string; log: TJobLogger }): Promise<void> {
  for (const database of opts.databases) {
    try {
      const src = await openSourceReader(opts.conn, database);
      try {
        const { rows } = await src.client.query<{ slot_name: string; retained: string | null }>(
          `SELECT s.slot_name, (${RETAINED_WAL_SQL})::text AS retained FROM pg_catalog.pg_replication_slots s
            WHERE s.database = current_database() AND s.slot_name = ANY($1::text[]) AND NOT s.active`,
          [[ownSlotName(database, opts.integrationSchema), ...slotNameCandidates(database)]],
        );
        for (const r of rows) {
          const retained = Number(r.retained ?? 0);
          if (retained <= retainedWalWarnBytes()) continue;
          opts.log.warn(
            "tap",
            `${retainedWalWarning(r.slot_name, retained).summary} No table of this integration uses Log-based Replication in database ${quoteIdent(database)}, so its jobs no longer read the slot. If no other integration or consumer does, drop it: ${dropSlotSql(r.slot_name)}`,
          );
        }
      } finally {
        await src.close();
      }
    } catch (err) {
      opts.log.info("tap", `Could not check database ${quoteIdent(database)} for unread replication slots: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
