import type pg from "pg";
import { quoteIdent } from "@/lib/naming/identifiers";
import { serverVersionNum } from "@/lib/source/server-version";
import type { TSourceColumn } from "@/lib/connectors/types";

export type { TSourceColumn };

type TRow = { attnum: string | number; fills: string | boolean; generated: string | boolean; attname: string; source_type: string; resolved: string; is_array: string | boolean; builtin: string | boolean; att_oid: string | number; att_kind: string; att_base: string | number };

const truthy = (v: string | boolean) => v === true || v === "t" || v === "true";

/** Server versions by client: columns are read for every table of a job (and again by a change stream). */
const versions = new WeakMap<pg.Client, number>();
async function versionOf(client: pg.Client): Promise<number> {
  const known = versions.get(client);
  if (known !== undefined) return known;
  const v = await serverVersionNum(client);
  versions.set(client, v);
  return v;
}

/**
 * The relation's live columns with destination types: domains unwrap to their base type (array element
 * too), enums / composites / types from extensions (hstore, citext…) become text (their text values are
 * kept exactly). Works for tables, views, materialized views and partitioned tables.
 */
export async function readSourceColumns(client: pg.Client, schema: string, table: string): Promise<TSourceColumn[]> {
  const version = await versionOf(client);
  // atthasmissing: PostgreSQL 11+; attgenerated: 12+. A view's rows are computed: a new column has values in all of them.
  const generated = version >= 120000 ? "a.attgenerated <> ''" : "false";
  const fills = ["a.atthasdef", ...(version >= 110000 ? ["a.atthasmissing"] : []), generated, "(SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = a.attrelid) IN ('v', 'm')"].join(" OR ");
  const res = await client.query<TRow>(
    `WITH RECURSIVE walk AS (
       SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS source_type,
              a.atttypid AS oid, a.atttypmod AS typmod, false AS is_array, 0 AS depth, a.atttypid AS att_oid, (${fills}) AS fills, (${generated}) AS generated
         FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
       UNION ALL
       SELECT w.attnum, w.attname, w.source_type,
              CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.typelem END,
              CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE w.typmod END,
              w.is_array OR t.typtype <> 'd', w.depth + 1, w.att_oid, w.fills, w.generated
         FROM walk w JOIN pg_catalog.pg_type t ON t.oid = w.oid
        WHERE w.depth < 16 AND (t.typtype = 'd' OR (NOT w.is_array AND t.typcategory = 'A' AND t.typelem <> 0 AND t.typlen = -1))
     )
     SELECT DISTINCT ON (w.attnum) w.attnum, w.fills, w.generated, w.attname, w.source_type, format_type(w.oid, w.typmod) AS resolved, w.is_array, w.att_oid,
            (n.nspname = 'pg_catalog' AND t.typtype IN ('b', 'r', 'm')) AS builtin, at.typtype AS att_kind, at.typbasetype AS att_base
       FROM walk w JOIN pg_catalog.pg_type t ON t.oid = w.oid JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
       JOIN pg_catalog.pg_type at ON at.oid = w.att_oid
      ORDER BY w.attnum, w.depth DESC`,
    [`${quoteIdent(schema)}.${quoteIdent(table)}`],
  );
  return res.rows.map((r) => {
    const base = truthy(r.builtin) ? r.resolved : "text";
    return { name: r.attname, sourceType: r.source_type, destinationType: truthy(r.is_array) ? `${base}[]` : base, typeOid: Number(r.att_oid), typeKind: r.att_kind, baseTypeOid: Number(r.att_base), attnum: Number(r.attnum), fillsExisting: truthy(r.fills), generated: truthy(r.generated) };
  });
}

/** The source's primary key columns in key order (none for views). */
export async function readSourcePrimaryKey(client: pg.Client, schema: string, table: string): Promise<string[]> {
  const res = await client.query<{ attname: string }>(
    `SELECT a.attname
       FROM pg_catalog.pg_index i
       JOIN LATERAL generate_subscripts(i.indkey, 1) AS k(pos) ON true
       JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.pos]
      WHERE i.indrelid = $1::regclass AND i.indisprimary
      ORDER BY k.pos`,
    [`${quoteIdent(schema)}.${quoteIdent(table)}`],
  );
  return res.rows.map((r) => r.attname);
}

/** The relation's oid: another oid under the same name is another table (dropped and created again). */
export async function readRelationOid(client: pg.Client, schema: string, name: string): Promise<number> {
  const res = await client.query<{ oid: string }>(`SELECT $1::regclass::oid AS oid`, [`${quoteIdent(schema)}.${quoteIdent(name)}`]);
  return Number(res.rows[0]?.oid);
}
