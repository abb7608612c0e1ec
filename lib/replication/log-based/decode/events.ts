import { z } from "zod";
import { parseLsn, type TLsn } from "../lsn";
import { rawValues, type TRawTuple } from "../buffer/row-arena";
import { streamKey } from "./stream-key";

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
 * as arena bytes. Frozen: a write to it, made without reading the values first, throws.
 */
export const NO_VALUES: TValue[] = Object.freeze([]) as unknown as TValue[];

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

// ---------------------------------------------------------------------------------------------- wal2json

const ZWal2JsonColumn = z.object({ name: z.string(), type: z.string().nullish(), value: z.union([z.string(), z.boolean(), z.null()]) });
const ZWal2JsonMessage = z.object({
  action: z.enum(["B", "C", "I", "U", "D", "T", "M"]),
  schema: z.string().nullish(),
  table: z.string().nullish(),
  timestamp: z.string().nullish(),
  lsn: z.string().nullish(),
  nextlsn: z.string().nullish(),
  columns: z.array(ZWal2JsonColumn).optional(),
  identity: z.array(ZWal2JsonColumn).optional(),
});
type TWal2JsonColumn = z.infer<typeof ZWal2JsonColumn>;

function wal2jsonText(c: TWal2JsonColumn): string | null {
  // Booleans arrive as JSON true/false; PostgreSQL's own text output is t/f.
  if (c.value === true) return "t";
  if (c.value === false) return "f";
  // wal2json drops the \x of bytea's hex output; put it back so the value reads as the same bytes.
  if (c.type === "bytea" && c.value !== null) return `\\x${c.value}`;
  return c.value;
}

/** A wal2json format-version 2 message (already parsed with exact numbers) → a stream event. */
export function decodeWal2Json(raw: unknown): TStreamEvent {
  if (typeof raw === "object" && raw !== null && (raw as { action?: unknown }).action === "M") return { kind: "other" };
  const msg = ZWal2JsonMessage.parse(raw);
  switch (msg.action) {
    case "B":
      return { kind: "begin", commitLsn: msg.lsn ? parseLsn(msg.lsn) : null, commitTime: msg.timestamp ?? null };
    case "C":
      return { kind: "commit", endLsn: msg.nextlsn ? parseLsn(msg.nextlsn) : null, commitTime: msg.timestamp ?? null };
    case "T":
      return { kind: "truncate", tables: [{ schema: msg.schema ?? "", table: msg.table ?? "" }] };
    case "M":
      return { kind: "other" };
    default: {
      const op = msg.action === "I" ? "insert" : msg.action === "U" ? "update" : "delete";
      // One column list for the new row and the identity: a column of the identity not in the new row
      // (a delete's key, a FULL identity's extra columns) is appended and left unsent in the new row.
      const sent = op === "delete" ? [] : (msg.columns ?? []);
      const columns = sent.map((c) => c.name);
      const values: TValue[] = sent.map(wal2jsonText);
      const types = new Map<string, string>();
      for (const c of sent) if (c.type) types.set(c.name, c.type);
      let identity: TValue[] | null = null;
      if (op !== "insert" && msg.identity) {
        identity = new Array<TValue>(columns.length);
        for (const c of msg.identity) {
          let i = columns.indexOf(c.name);
          if (i < 0) {
            i = columns.push(c.name) - 1;
            values.length = columns.length;
          }
          identity[i] = wal2jsonText(c);
        }
      }
      const schema = msg.schema ?? "";
      const table = msg.table ?? "";
      return { kind: "change", op, schema, table, relKey: streamKey(schema, table), columns, values: op === "delete" ? [] : values, types, identity };
    }
  }
}
