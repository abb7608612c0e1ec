import type { TChangeRow } from "@/lib/connectors/types";
import { NO_VALUES, type TValue } from "../decode/events";
import { readArenaBinaryRow, readArenaRow } from "./row-arena";
import type { TValues } from "./registry";

/** An update that moved a row to a new key without sending its unchanged TOAST values. */
export type TPendingFill = { key: TValues; columns: string[] };

/** The commit a change belongs to: one object per source transaction, shared by its changes. */
export type TChangeMeta = { at: string; sequence: bigint };

/**
 * Columns of rows kept in the arena: their names, each one's registry index and, for rows kept as COPY
 * BINARY fields, each one's type (to read a row back); null for COPY text rows.
 */
export type TArenaLayout = { id: number; sourceCols: string[]; at: number[]; types: Int32Array | null };

/**
 * A buffered change; `values` are indexed by the buffer's column registry (undefined: not sent). With a
 * `layout`, the row is instead the arena's bytes [start, end) and `values` is empty until the row is read
 * back (materialize): the COPY text of the layout's columns or, for a binary layout, a COPY BINARY row
 * (`framed`: the whole staging row; else its field count and fields, the _sdc fields to be added).
 * `born`: the key's first change in this batch was an insert (see TChangeGroup.insertOnly). One type
 * for both forms, not a union: an entry turns from arena row into values in place (materialize), and
 * the loader reads it as it is (TChangeRow) without a copy.
 */
export type TEntry = TChangeRow & { kind: "upsert" | "delete"; values: TValue[]; fill: TPendingFill | null; layout: TArenaLayout | null; start: number; end: number; framed: boolean; born: boolean };

/** A change kept as values. */
export function valuesEntry(kind: TEntry["kind"], values: TValue[], meta: TChangeMeta): TEntry {
  return { kind, values, sequence: meta.sequence, deletedAt: kind === "delete" ? meta.at : null, fill: null, layout: null, start: 0, end: 0, framed: false, born: false };
}

/** A change kept as the arena's bytes [start, end). */
export function arenaEntry(kind: TEntry["kind"], layout: TArenaLayout, start: number, end: number, meta: TChangeMeta, framed: boolean): TEntry {
  return { kind, values: NO_VALUES, sequence: meta.sequence, deletedAt: kind === "delete" ? meta.at : null, fill: null, layout, start, end, framed, born: false };
}

/** An arena row read back into registry-indexed values (`width`: the registry's size). */
export function materialize(e: TEntry, arena: Buffer, width: number): void {
  const layout = e.layout;
  if (!layout) return;
  const read = layout.types ? readArenaBinaryRow(arena, e.start, layout.types) : readArenaRow(arena, e.start, e.end);
  const values = new Array<TValue>(width);
  for (let j = 0; j < layout.at.length; j++) values[layout.at[j]!] = read[j];
  e.values = values;
  e.layout = null;
  e.framed = false;
}
