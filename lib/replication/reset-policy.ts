import type { TReplicationState } from "@/lib/connectors/types";
import type { TMethod } from "./method-state";
import type { TSelectedTable } from "./selected-tables";

/** A saved state made under another method or key cannot be continued: the table starts over. */
function stateMismatch(state: TReplicationState, method: TMethod, key: string[]): string | null {
  if (state.method !== method) return `its method changed from ${String(state.method)} to ${method}`;
  if (method === "key_based" && JSON.stringify(state.replicationKey) !== JSON.stringify(key)) return "its Replication Key changed";
  return null;
}

/**
 * Why the table is copied again from scratch this run, or null: a reset asked for it (the table's own,
 * or the integration's), or its saved state belongs to another method or Replication Key. A table with
 * no state and no request has nothing to reset.
 */
export function resetReason(input: { table: TSelectedTable; saved: TReplicationState | null; method: TMethod; integrationReset: Date | null }): string | null {
  const { table, saved } = input;
  const mismatch = saved ? stateMismatch(saved, input.method, table.selection.replicationKey) : null;
  const reason = table.resetRequestedAt ? "a reset was requested" : input.integrationReset ? "the integration was reset" : mismatch;
  return reason && (saved || table.resetRequestedAt || input.integrationReset) ? reason : null;
}
