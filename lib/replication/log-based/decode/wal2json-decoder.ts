import { z } from "zod";
import { parseLsn } from "../lsn";
import type { TStreamEvent, TValue } from "./events";
import { streamKey } from "./stream-key";

// wal2json format-version 2: one JSON message per change, parsed with exact numbers, into stream events.

/**
 * wal2json's JSON writes numbers bare (numeric 12345678901234567890.123456789 would lose digits in
 * JSON.parse). The value of a column object follows `{` or `,` + `"value":`; inside a JSON string a quote
 * is always escaped, so this pattern cannot match string content. Bare numbers become strings first.
 */
const BARE_VALUE_RE = /([{,]"value":)(-?[0-9][0-9.eE+-]*)(?=[,}])/g;

export function parseWal2JsonExact(text: string): unknown {
  return JSON.parse(text.replace(BARE_VALUE_RE, '$1"$2"'));
}

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
