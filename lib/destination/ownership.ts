import type pg from "pg";
import { AppError } from "@/lib/errors";
import { quoteEscapedLiteral as literal, quoteIdent } from "@/lib/naming/identifiers";
import { STATE_SCHEMA } from "@/lib/connectors/postgres/destination/ddl";

/**
 * The product writes only into schemas and tables it made. A schema it made carries a comment naming
 * the integration; a table it made has the `_sdc_extracted_at` column. A warehouse's own schema (or
 * another integration's) is refused before anything is created, dropped or replaced in it.
 */
const MARK_PREFIX = "pgreplicate integration ";
const SDC_MARK_COLUMN = "_sdc_extracted_at";

export const schemaMark = (integrationId: string): string => `${MARK_PREFIX}${integrationId}`;

/** Names no integration may take, whatever the destination holds: PostgreSQL's own and the product's. */
export function reservedSchemaProblem(schema: string): string | null {
  const s = schema.toLowerCase();
  if (s === "public" || s === "information_schema" || s.startsWith("pg_") || s === STATE_SCHEMA) {
    return `The destination schema ${schema} is reserved (PostgreSQL's own or the warehouse's default); choose another name.`;
  }
  return null;
}

/** `foreignRelations`: up to five relations the product did not make, as a list for a message. */
type TSchemaFacts = { exists: boolean; comment: string | null; foreignRelations: string | null };

async function schemaFacts(client: pg.Client, schema: string): Promise<TSchemaFacts> {
  const res = await client.query(
    `SELECT obj_description(n.oid, 'pg_namespace') AS comment,
            (SELECT string_agg(quote_ident(f.relname), ', ') FROM (
               SELECT c.relname FROM pg_class c
                WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                  AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = $2 AND NOT a.attisdropped)
                ORDER BY 1 LIMIT 5) f) AS foreign
       FROM pg_namespace n WHERE n.nspname = $1`,
    [schema, SDC_MARK_COLUMN],
  );
  const row = res.rows[0] as { comment: string | null; foreign: string | null } | undefined;
  if (!row) return { exists: false, comment: null, foreignRelations: null };
  return { exists: true, comment: row.comment, foreignRelations: row.foreign };
}

/**
 * Makes sure `schema` is this integration's before the loader writes: creates and marks it when it
 * does not exist; adopts an unmarked one only when everything in it was made by the product (schemas
 * from before the mark); refuses a reserved name, another integration's schema and a warehouse's own.
 */
export async function claimSchema(client: pg.Client, run: (sql: string) => Promise<unknown>, schema: string, integrationId: string): Promise<void> {
  const reserved = reservedSchemaProblem(schema);
  if (reserved) throw new AppError("CONFLICT", reserved);
  const facts = await schemaFacts(client, schema);
  if (facts.comment === schemaMark(integrationId)) return;
  if (facts.comment?.startsWith(MARK_PREFIX)) throw new AppError("CONFLICT", `The destination schema ${schema} belongs to another integration; this one will not write into it.`);
  if (facts.foreignRelations) {
    throw new AppError(
      "CONFLICT",
      `The destination schema ${schema} already exists and holds tables this product did not create (${facts.foreignRelations}); it will not write into it. Rename the integration's schema or the existing one.`,
    );
  }
  await run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await run(`COMMENT ON SCHEMA ${quoteIdent(schema)} IS ${literal(schemaMark(integrationId))}`);
}

/** Refuses to drop or replace a table that exists and was not made by the product. */
export async function assertTableReplaceable(client: pg.Client, schema: string, table: string): Promise<void> {
  const res = await client.query(
    `SELECT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = $3 AND NOT a.attisdropped) AS ours
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, table, SDC_MARK_COLUMN],
  );
  const row = res.rows[0] as { ours: boolean | string } | undefined;
  if (row && row.ours !== true && row.ours !== "t") {
    throw new AppError("CONFLICT", `The destination table ${schema}.${table} was not created by this product; it will not be dropped or replaced.`);
  }
}
