import { z } from "zod";
import { ZColumnHistory } from "./column-changes";
import { ZLogBasedState } from "./log-based/state";

/**
 * A table's replication state, one member per method, saved at the destination with the rows it covers
 * (and mirrored in table_states). Parsed where it comes in (parseMethodState), typed everywhere after.
 */

export const ZFullTableState = z.object({ method: z.literal("full_table"), tableVersion: z.number(), lastCompletedAt: z.string() });
export type TFullTableState = z.infer<typeof ZFullTableState>;

/**
 * What a Key-based state keeps about the source table's shape, saved with each batch. A field that does
 * not parse is dropped, not the state (its bookmark must survive).
 */
export const ZKeyBasedShapeFields = {
  /** The source's columns when the state was saved: renames and re-added columns are told apart by number. */
  columns: ZColumnHistory.optional().catch(undefined),
  /** The source table's oid: another oid under the same name is another table (dropped and created again). */
  sourceOid: z.number().int().optional().catch(undefined),
};

export const ZKeyBasedState = z.object({
  method: z.literal("key_based"),
  replicationKey: z.array(z.string()).min(1),
  /** The key value(s) of the last committed batch, as source text; null before the first. */
  bookmark: z.array(z.string()).nullable(),
  /** Rows whose key is NULL are copied once, on the first run. */
  nullsDone: z.boolean(),
  tableVersion: z.number(),
  ...ZKeyBasedShapeFields,
});
export type TKeyBasedState = z.infer<typeof ZKeyBasedState>;

export const ZMethodState = z.discriminatedUnion("method", [ZFullTableState, ZKeyBasedState, ZLogBasedState]);
export type TMethodState = z.infer<typeof ZMethodState>;
export type TMethod = TMethodState["method"];

/** A saved state as its method's shape; null when there is none or it is not one (the table starts over). */
export function parseMethodState(raw: unknown): TMethodState | null {
  if (raw === null || raw === undefined) return null;
  const parsed = ZMethodState.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
