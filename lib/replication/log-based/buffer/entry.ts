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
 * A change kept as the arena's bytes [start, end): the COPY text of the layout's columns or, for a binary
 * layout, a COPY BINARY row (`framed`: the whole staging row; else its field count and fields, the _sdc
 * fields to be added). `values` is always empty (the loader reads the bytes). `born`: the key's first
 * change in this batch was an insert (see TChangeGroup.insertOnly).
 */
export type TArenaEntry = TChangeRow & {
  form: "arena";
  kind: "upsert" | "delete";
  values: readonly TValue[];
  layout: TArenaLayout;
  start: number;
  end: number;
  framed: boolean;
  born: boolean;
};

/** A change kept as values, indexed by the buffer's column registry (undefined: not sent). */
export type TValuesEntry = TChangeRow & { form: "values"; kind: "upsert" | "delete"; values: TValue[]; fill: TPendingFill | null };

/**
 * A buffered change. Both forms are what the loader reads (TChangeRow) as they are, without a copy; an
 * arena entry that must merge value by value is replaced by its values (materialize).
 */
export type TEntry = TArenaEntry | TValuesEntry;

/** A change kept as values. */
export function valuesEntry(kind: TEntry["kind"], values: TValue[], meta: TChangeMeta): TValuesEntry {
  return { form: "values", kind, values, sequence: meta.sequence, deletedAt: kind === "delete" ? meta.at : null, fill: null };
}

/** A change kept as the arena's bytes [start, end). */
export function arenaEntry(kind: TEntry["kind"], layout: TArenaLayout, start: number, end: number, meta: TChangeMeta, framed: boolean): TArenaEntry {
  return { form: "arena", kind, values: NO_VALUES, sequence: meta.sequence, deletedAt: kind === "delete" ? meta.at : null, layout, start, end, framed, born: false };
}

/** An arena row read back into registry-indexed values (`width`: the registry's size). */
export function materialize(e: TArenaEntry, arena: Buffer, width: number): TValuesEntry {
  const layout = e.layout;
  const read = layout.types ? readArenaBinaryRow(arena, e.start, layout.types) : readArenaRow(arena, e.start, e.end);
  const values = new Array<TValue>(width);
  for (let j = 0; j < layout.at.length; j++) values[layout.at[j]!] = read[j];
  return { form: "values", kind: e.kind, values, sequence: e.sequence, deletedAt: e.deletedAt, fill: null };
}
