import { z } from "zod";
import type { TDestinationConnection } from "@/lib/destination/connection";
import type { TSourceConnection } from "@/lib/source/connection";

export type TVerifyMethod = "full_table" | "key_based" | "log_based";

/** One tracked table to compare: where it is at the source, where it lands, and what is compared. */
export type TVerifyTarget = {
  /** The catalog's table key ("<db>.<schema>.<table>", each part quoted). */
  tableKey: string;
  database: string;
  sourceSchema: string;
  sourceTable: string;
  /** The destination table inside the integration's schema. */
  destinationTable: string;
  /** The tracked source columns (never _sdc_*); only those the destination table has are compared. */
  columns: string[];
  /** The source table's primary key; empty: a keyless table (count + whole-table hash). */
  primaryKey: string[];
  method: TVerifyMethod;
  /** Views are not verified yet (their key is the user's view key). */
  kind?: "table" | "view" | "materialized_view" | "partitioned_table";
};

export type TVerifyLogLevel = "info" | "warn" | "error";

/** Figures a caller (or a test) can read after a run: what the engine held and did. */
export type TVerifyStats = {
  /** The most rows (source + destination) held in memory at once while comparing rows. */
  peakRowsHeld: number;
  rangesHashed: number;
  leafRangesCompared: number;
  /** Differing keys re-read after the catch-up. */
  keysRechecked: number;
};

export function newVerifyStats(): TVerifyStats {
  return { peakRowsHeld: 0, rangesHashed: 0, leafRangesCompared: 0, keysRechecked: 0 };
}

export type TVerifyOptions = {
  source: TSourceConnection;
  destination: TDestinationConnection;
  /** The integration's destination schema. */
  schema: string;
  /** The integration whose saved positions (_pgreplicate.table_states) are read for Log-based tables. */
  integrationId: string;
  tables: TVerifyTarget[];
  log?: (level: TVerifyLogLevel, message: string) => void;
  /**
   * Called once, after the first pass found differences in incremental (Key-based, Log-based) tables and
   * before they are re-read, with those tables' keys: the caller brings them up to the source's current
   * position (e.g. runs an extraction of them). Full Table tables are never caught up: that would copy
   * them whole, and hide what differs. Optional.
   */
  catchUp?: (tableKeys: string[]) => Promise<void>;
  /** Called with each table's result as soon as it is known (e.g. to store it). */
  onTable?: (result: TTableVerification) => Promise<void>;
  /** Rows per top-level range (default 20,000). */
  rangeRows?: number;
  /** Rows at or below which a differing range is compared row by row (default 1,000). */
  leafRows?: number;
  /** Differing keys kept per table for the re-check and Repair (default 50,000); more are counted only. */
  maxDifferingKeys?: number;
  /** Filled in while running. */
  stats?: TVerifyStats;
  /**
   * Asked between ranges (and between Repair's batches): true ends the run with VerifyStopped, so Stop
   * Extraction takes effect within one range, not after a whole 10M-row table.
   */
  shouldStop?: () => boolean;
  /** Test hook: runs once per table right after the source snapshot is taken, before any range is read. */
  afterSourceSnapshot?: (target: TVerifyTarget) => Promise<void>;
};

/** Thrown when `shouldStop` says so; what was stored before it stands. */
export class VerifyStopped extends Error {
  constructor(what = "Verify") {
    super(`${what} stopped on request`);
  }
}

/** Throws VerifyStopped when the caller asked to stop. */
export function stopIfAsked(shouldStop: (() => boolean) | undefined, what?: string): void {
  if (shouldStop?.()) throw new VerifyStopped(what);
}

export const ZDifferenceKind = z.enum(["missing", "extra", "changed"]);
export type TDifferenceKind = z.infer<typeof ZDifferenceKind>;

/** A differing row: `missing` is at the source only, `extra` at the destination only. */
export const ZDifferingKey = z.object({ kind: ZDifferenceKind, key: z.record(z.string(), z.string()) });
export type TDifferingKey = z.infer<typeof ZDifferingKey>;
export const ZFirstKeys = z.array(ZDifferingKey).max(20);

export type TVerifyStatus = "identical" | "differs" | "error" | "skipped";

export type TTableVerification = {
  tableKey: string;
  status: TVerifyStatus;
  sourceRows: number;
  destinationRows: number;
  /** Rows that differ (after the re-check); for a keyless table 0 or 1 ("the table differs"). */
  differing: number;
  /** Up to 20 differing keys, in key order of discovery. */
  firstKeys: TDifferingKey[];
  /** "ranges": compared by primary-key ranges; "whole_table": count + order-independent hash. */
  compared: "ranges" | "whole_table" | "none";
  /** Why a table was skipped or compared as a whole, or a caution (destination behind). */
  note?: string;
  error?: string;
};

export const FIRST_KEYS_MAX = 20;
