import { parseEnv } from "@/lib/env";
import { quoteLiteral } from "@/lib/naming/identifiers";

/** Retained WAL above this is a warning, in the job log and the prerequisite report (RETAINED_WAL_WARN_MB). */
export function retainedWalWarnBytes(): number {
  return parseEnv().RETAINED_WAL_WARN_MB * 1024 * 1024;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * SQL for the WAL a slot keeps on the source's disk, in bytes, from pg_replication_slots aliased `s`
 * (NULL on a standby, whose own position is not where WAL is written).
 */
export const RETAINED_WAL_SQL = `CASE WHEN pg_catalog.pg_is_in_recovery() THEN NULL ELSE pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), s.restart_lsn) END`;

export function dropSlotSql(slot: string): string {
  return `SELECT pg_drop_replication_slot(${quoteLiteral(slot)});`;
}

/** What to say when a slot retains more WAL than the threshold: the risk and the two ways out. */
export function retainedWalWarning(slot: string, bytes: number): { summary: string; fix: string } {
  return {
    summary: `Replication slot ${slot} retains ${megabytes(bytes)} of WAL on the source (threshold ${megabytes(retainedWalWarnBytes())}): it grows until the slot is read, and a full disk stops the database.`,
    fix: `Run extractions more often (the slot advances as each job confirms what it loaded), or, if the slot is abandoned, drop it: ${dropSlotSql(slot)}`,
  };
}
