import { z } from "zod";
import type { TReplicationState } from "@/lib/connectors/postgres/destination";
import { ZColumnHistory } from "../column-changes";
import { parseLsn, type TLsn } from "./lsn";

/**
 * A log-based table's state, saved at the destination in the same transaction as the rows it covers:
 * every source transaction whose commit ends at or before `lsn` is in the destination table.
 */
export const ZLogBasedState = z.object({
  method: z.literal("log_based"),
  slot: z.string(),
  plugin: z.enum(["wal2json", "pgoutput"]),
  lsn: z.string().regex(/^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i),
  tableVersion: z.number().int(),
  copiedAt: z.string(),
  /** Source column types as last seen (format_type): a difference is a type change at the source. */
  columnTypes: z.record(z.string(), z.string()).optional(),
  /** The replicated columns by number, as the destination was last made from them (see column-changes.ts). */
  columns: ZColumnHistory.optional(),
  /** The source table's OID when copied: another one means the table was dropped and created again. */
  relid: z.number().int().optional(),
  /** A partitioned table's partitions when it was copied or last read (see partitionChangeReason). */
  partitions: z.array(z.string()).optional(),
});
export type TLogBasedState = z.infer<typeof ZLogBasedState>;

/** The saved state if it is a log-based state of this slot; null means a first copy is needed. */
export function usableState(raw: TReplicationState | null, slot: string): { state: TLogBasedState; lsn: TLsn } | null {
  const parsed = ZLogBasedState.safeParse(raw);
  if (!parsed.success || parsed.data.slot !== slot) return null;
  return { state: parsed.data, lsn: parseLsn(parsed.data.lsn) };
}

export function stateRecord(state: TLogBasedState): TReplicationState {
  return { ...state };
}
