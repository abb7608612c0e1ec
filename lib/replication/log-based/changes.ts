import { z } from "zod";
import type { Pgoutput } from "pg-logical-replication";
import { parseLsn, type TLsn } from "./lsn";

/**
 * One row change, the same shape for wal2json and pgoutput. Values are the source's text output
 * (exact: no number or date parsing). A column missing from `values` on an update was not sent: an
 * unchanged TOAST value (without REPLICA IDENTITY FULL); the destination must keep what it has.
 */
export type TRowChange = {
  op: "insert" | "update" | "delete";
  schema: string;
  table: string;
  values: Map<string, string | null>;
  /** The type of each sent column as PostgreSQL formats it, when the plugin tells (wal2json). */
  types: Map<string, string> | null;
  /** The old key (or the whole old row under REPLICA IDENTITY FULL) for updates and deletes. */
  identity: Map<string, string | null> | null;
};

export type TRelationInfo = {
  schema: string;
  table: string;
  columns: { name: string; typeOid: number; typeMod: number; key: boolean }[];
  replicaIdentity: string;
};

export type TStreamEvent =
  | { kind: "begin"; commitLsn: TLsn | null; commitTime: string | null }
  | { kind: "commit"; endLsn: TLsn | null; commitTime: string | null }
  | { kind: "change"; change: TRowChange }
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

function wal2jsonText(value: string | boolean | null): string | null {
  // Booleans arrive as JSON true/false; PostgreSQL's own text output is t/f.
  if (value === true) return "t";
  if (value === false) return "f";
  return value;
}

function wal2jsonColumns(cols: z.infer<typeof ZWal2JsonColumn>[] | undefined): { values: Map<string, string | null>; types: Map<string, string> } {
  const values = new Map<string, string | null>();
  const types = new Map<string, string>();
  for (const c of cols ?? []) {
    const text = wal2jsonText(c.value);
    // wal2json drops the \x of bytea's hex output; put it back so the value reads as the same bytes.
    values.set(c.name, c.type === "bytea" && text !== null ? `\\x${text}` : text);
    if (c.type) types.set(c.name, c.type);
  }
  return { values, types };
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
      const { values, types } = wal2jsonColumns(msg.columns);
      const identity = msg.identity ? wal2jsonColumns(msg.identity).values : null;
      const op = msg.action === "I" ? "insert" : msg.action === "U" ? "update" : "delete";
      return {
        kind: "change",
        change: { op, schema: msg.schema ?? "", table: msg.table ?? "", values: op === "delete" ? new Map() : values, types, identity: op === "insert" ? null : identity },
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------- pgoutput

function microsToIso(us: bigint | null | undefined): string | null {
  if (us === null || us === undefined) return null;
  const ms = us / 1000n;
  const iso = new Date(Number(ms)).toISOString(); // 2026-01-01T00:00:00.123Z
  const micros = (us % 1_000_000n).toString().padStart(6, "0");
  return `${iso.slice(0, 19)}.${micros}Z`;
}

/** A tuple as the (text-value) parser returns it → present columns only; undefined = unchanged TOAST. */
function tupleValues(tuple: Record<string, unknown> | null, relation: Pgoutput.MessageRelation): Map<string, string | null> | null {
  if (!tuple) return null;
  const values = new Map<string, string | null>();
  for (const col of relation.columns) {
    const v = tuple[col.name];
    if (v === undefined) continue;
    values.set(col.name, v === null ? null : String(v));
  }
  return values;
}

function keyValues(key: Record<string, unknown> | null, relation: Pgoutput.MessageRelation): Map<string, string | null> | null {
  if (!key) return null;
  const values = new Map<string, string | null>();
  for (const name of relation.keyColumns) {
    const v = key[name];
    if (v !== undefined) values.set(name, v === null ? null : String(v));
  }
  return values;
}

/** A pgoutput message (text values) → a stream event. */
export function decodePgoutput(msg: Pgoutput.Message): TStreamEvent {
  switch (msg.tag) {
    case "begin":
      return { kind: "begin", commitLsn: msg.commitLsn ? parseLsn(msg.commitLsn) : null, commitTime: microsToIso(msg.commitTime as bigint) };
    case "commit":
      return { kind: "commit", endLsn: msg.commitEndLsn ? parseLsn(msg.commitEndLsn) : null, commitTime: microsToIso(msg.commitTime as bigint) };
    case "relation":
      return {
        kind: "relation",
        relation: {
          schema: msg.schema,
          table: msg.name,
          replicaIdentity: msg.replicaIdentity,
          columns: msg.columns.map((c) => ({ name: c.name, typeOid: c.typeOid, typeMod: c.typeMod, key: (c.flags & 1) === 1 })),
        },
      };
    case "insert":
      return { kind: "change", change: { op: "insert", schema: msg.relation.schema, table: msg.relation.name, values: tupleValues(msg.new, msg.relation) ?? new Map(), types: null, identity: null } };
    case "update": {
      // With REPLICA IDENTITY FULL the parser fills unchanged TOAST values from the old tuple.
      const identity = msg.old ? tupleValues(msg.old, msg.relation) : keyValues(msg.key, msg.relation);
      return { kind: "change", change: { op: "update", schema: msg.relation.schema, table: msg.relation.name, values: tupleValues(msg.new, msg.relation) ?? new Map(), types: null, identity } };
    }
    case "delete": {
      const identity = msg.old ? tupleValues(msg.old, msg.relation) : keyValues(msg.key, msg.relation);
      return { kind: "change", change: { op: "delete", schema: msg.relation.schema, table: msg.relation.name, values: new Map(), types: null, identity } };
    }
    case "truncate":
      return { kind: "truncate", tables: msg.relations.map((r) => ({ schema: r.schema, table: r.name })) };
    default:
      return { kind: "other" };
  }
}
