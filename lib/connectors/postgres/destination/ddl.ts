import type pg from "pg";
import { quoteIdent } from "@/lib/naming/identifiers";
import type { TLoadColumn, TLoadTableSpec } from "../../types";
import { run, type TPgSession } from "./session";

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
  return `${quoteIdent(name)} ${checkedTypeSql(name, type)}`;
}

/** The type text, checked as columnDefinitionSql checks it. */
function checkedTypeSql(name: string, type: string): string {
  if (/[;]|--|\/\*/.test(type)) throw new Error(`Refusing an unexpected column type for ${name}: ${type}`);
  return type;
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

/** Runs a statement the loader logs (its `run`). */
type TRunSql = (sql: string) => Promise<unknown>;

/**
 * Renames a column of a destination table after a rename at the source, only when the table has `from`
 * and not `to` (a re-run after a crash finds it done; a name already taken is left to the caller).
 * True when it renamed.
 */
export async function renameDestinationColumn(client: pg.Client, run: TRunSql, at: { schema: string; table: string }, from: string, to: string): Promise<boolean> {
  const existing = await readExistingColumns(client, at.schema, at.table);
  if (!existing?.has(from) || existing.has(to)) return false;
  await run(`ALTER TABLE ${qualified(at.schema, at.table)} RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`);
  return true;
}

/**
 * Changes a destination column's type in place (a safe widening: every value converts exactly; the
 * caller decides that). Nothing when the column is missing or already of that type. True when it changed.
 */
export async function alterDestinationColumnType(client: pg.Client, run: TRunSql, at: { schema: string; table: string }, column: string, type: string): Promise<boolean> {
  const existing = await readExistingColumns(client, at.schema, at.table);
  const current = existing?.get(column);
  if (current === undefined || current === type) return false;
  await run(`ALTER TABLE ${qualified(at.schema, at.table)} ALTER COLUMN ${quoteIdent(column)} TYPE ${checkedTypeSql(column, type)}`);
  return true;
}

/** WITH (fillfactor = …) for a spec that asks for one. */
export function storageSql(spec: TLoadTableSpec): string {
  const f = spec.fillfactor;
  return f !== undefined && Number.isInteger(f) && f >= 10 && f < 100 ? ` WITH (fillfactor = ${f})` : "";
}

/** CREATE TABLE IF NOT EXISTS, or ALTER TABLE ADD COLUMN for the spec's columns the table lacks. */
export async function ensureTable(s: TPgSession, spec: TLoadTableSpec): Promise<{ created: boolean; addedColumns: string[]; existingColumns: string[] }> {
  const { schema } = s.opts;
  const existing = await readExistingColumns(s.client, schema, spec.table);
  if (existing === null) {
    const defs = [...spec.columns, ...SDC_COLUMNS].map((c) => columnDefinitionSql(c.name, c.type));
    const pk = spec.primaryKey.length > 0 ? `, PRIMARY KEY (${spec.primaryKey.map(quoteIdent).join(", ")})` : "";
    await run(s, `CREATE TABLE IF NOT EXISTS ${qualified(schema, spec.table)} (${defs.join(", ")}${pk})${storageSql(spec)}`);
    return { created: true, addedColumns: [], existingColumns: [] };
  }
  const missing = [...spec.columns, ...SDC_COLUMNS].filter((c) => !existing.has(c.name));
  for (const c of missing) await run(s, `ALTER TABLE ${qualified(schema, spec.table)} ADD COLUMN IF NOT EXISTS ${columnDefinitionSql(c.name, c.type)}`);
  return { created: false, addedColumns: missing.map((c) => c.name), existingColumns: [...existing.keys()] };
}
