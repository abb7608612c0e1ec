import type { TLsn } from "../lsn";
import { rawValues, type TRawTuple } from "./raw-tuples";

/** A column value as the source prints it (exact text); null = SQL NULL; undefined = not sent. */
export type TValue = string | null | undefined;

/**
 * One row change, the same shape for wal2json and pgoutput. Values are the source's text output (exact:
 * no number or date parsing), aligned with `columns`. A value left undefined was not sent: on an update,
 * an unchanged TOAST value (without REPLICA IDENTITY FULL); the destination must keep what it has.
 */
export type TRowChange = {
  kind: "change";
  op: "insert" | "update" | "delete";
  schema: string;
  table: string;
  /** streamKey(schema, table), computed once per relation. */
  relKey: string;
  /** The column names `values` and `identity` are aligned with (one array per relation, shared). */
  columns: readonly string[];
  /** The new row (empty for deletes). */
  values: TValue[];
  /** The type of each sent column as PostgreSQL formats it, when the plugin tells (wal2json). */
  types: Map<string, string> | null;
  /** The old key (or the whole old row under REPLICA IDENTITY FULL) for updates and deletes. */
  identity: TValue[] | null;
  /**
   * pgoutput: the new row (insert, update) or the old key (delete) still in its message; `values` /
   * `identity` are then empty until readChangeValues. The change buffer copies most rows from here
   * straight into COPY text.
   */
  raw?: TRawTuple | null;
};

/**
 * Values not held as an array: a change whose tuple is still in its message (`raw`), a buffered row kept
 * as arena bytes. Typed as the arrays it stands in for, and frozen: a write to it, made without reading
 * the values first, throws.
 */
export const NO_VALUES: TValue[] = [];
Object.freeze(NO_VALUES);

/** Reads a change's values out of its message, if still there (`raw`): after this, `values` and `identity` hold them. */
export function readChangeValues(change: TRowChange): TRowChange {
  const raw = change.raw;
  if (!raw) return change;
  if (raw.keyOnly) change.identity = rawValues(raw);
  else change.values = rawValues(raw);
  change.raw = null;
  return change;
}

export type TRelationInfo = {
  schema: string;
  table: string;
  columns: { name: string; typeOid: number; typeMod: number; key: boolean }[];
  replicaIdentity: string;
};

export type TStreamEvent =
  | { kind: "begin"; commitLsn: TLsn | null; commitTime: string | null }
  | { kind: "commit"; endLsn: TLsn | null; commitTime: string | null }
  | TRowChange
  | { kind: "truncate"; tables: { schema: string; table: string }[] }
  | { kind: "relation"; relation: TRelationInfo }
  | { kind: "other" };
