import type pg from "pg";
import { quoteIdent } from "@/lib/naming/identifiers";
import type { TLoadColumn } from "./types";

/** Where the loader keeps each table's state, next to the data it covers. */
export const STATE_SCHEMA = "_pgreplicate";
export const STATE_TABLE = "table_states";

/** The columns every destination table gets after the source's. */
export const SDC_COLUMNS: readonly TLoadColumn[] = [
  { name: "_sdc_extracted_at", type: "timestamp with time zone" },
  { name: "_sdc_received_at", type: "timestamp with time zone" },
  { name: "_sdc_batched_at", type: "timestamp with time zone" },
  { name: "_sdc_sequence", type: "bigint" },
  { name: "_sdc_table_version", type: "bigint" },
  { name: "_sdc_deleted_at", type: "timestamp with time zone" },
];

export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** Type names come from format_type on the source (never user text); they are checked to hold no statement separators. */
export function columnDefinitionSql(name: string, type: string): string {
  if (/[;]|--|\/\*/.test(type)) throw new Error(`Refusing an unexpected column type for ${name}: ${type}`);
  return `${quoteIdent(name)} ${type}`;
}

/** The table's columns (name → type), or null when it does not exist. */
export async function readExistingColumns(client: pg.Client, schema: string, table: string): Promise<Map<string, string> | null> {
  const res = await client.query(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [schema, table],
  );
  if (res.rows.length === 0) return null;
  const out = new Map<string, string>();
  for (const r of res.rows as { name: string | null; type: string | null }[]) if (r.name) out.set(r.name, r.type ?? "text");
  return out;
}
