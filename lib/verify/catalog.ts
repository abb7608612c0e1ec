import type pg from "pg";
import { z } from "zod";

/**
 * A column as the server describes it: its type text, whether that type is built in (pg_catalog, so
 * the same type on every server), and what decides the order of its values.
 */
export type TColumnInfo = { type: string; builtin: boolean; order: string };

const ZColumnRow = z.object({ name: z.string(), type: z.string(), builtin: z.union([z.boolean(), z.enum(["t", "f"])]).transform((v) => v === true || v === "t"), typtype: z.string(), collation: z.string().nullable(), collprovider: z.string().nullable(), db: z.string() });
const ZDbLocale = z.object({ datcollate: z.string().nullish(), datlocprovider: z.string().nullish(), daticulocale: z.string().nullish(), datlocale: z.string().nullish() });

/**
 * The columns of a table or view (name → type and ordering identity), or null when it does not exist.
 * The ordering identity is what makes "(a, b) > (x, y)" mean the same on two servers: the base type for
 * non-collatable types, the effective collation's locale for text, the enum's own order for enums.
 */
export async function readColumns(client: pg.Client, schema: string, table: string): Promise<Map<string, TColumnInfo> | null> {
  const res = await client.query(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            ty.typnamespace = 'pg_catalog'::regnamespace AS builtin,
            (SELECT bt.typtype::text FROM pg_catalog.pg_type bt WHERE bt.oid = coalesce(nullif(ty.typbasetype, 0), ty.oid)) AS typtype,
            CASE WHEN a.attcollation = 0 THEN NULL ELSE co.collname::text END AS collation,
            CASE WHEN a.attcollation = 0 THEN NULL ELSE coalesce(to_jsonb(co)->>'colllocale', to_jsonb(co)->>'colliculocale', co.collcollate) END AS collprovider,
            (SELECT to_jsonb(d)::text FROM pg_catalog.pg_database d WHERE d.datname = current_database()) AS db
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid
       LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, table],
  );
  if (res.rows.length === 0) return null;
  const out = new Map<string, TColumnInfo>();
  for (const raw of res.rows) {
    const r = ZColumnRow.parse(raw);
    out.set(r.name, { type: r.type, builtin: r.builtin, order: orderingIdentity(r) });
  }
  return out;
}

function orderingIdentity(r: z.infer<typeof ZColumnRow>): string {
  if (r.typtype === "e") return `enum ${r.type}`;
  if (r.collation === null) return "natural";
  if (r.collation === "C" || r.collation === "POSIX") return "C";
  if (r.collation !== "default") return `locale ${r.collprovider ?? r.collation}`;
  const d = ZDbLocale.parse(JSON.parse(r.db));
  const icu = d.datlocprovider === "i" ? (d.daticulocale ?? d.datlocale) : null;
  if (icu) return `locale ${icu}`;
  const libc = d.datcollate ?? "C";
  return libc === "C" || libc === "POSIX" ? "C" : `locale ${libc}`;
}

/**
 * Why the key's order could differ between the two sides (range bounds would then select different
 * rows), or null when it is the same.
 */
export function keyOrderMismatch(key: string[], source: Map<string, TColumnInfo>, destination: Map<string, TColumnInfo>): string | null {
  for (const k of key) {
    const s = source.get(k);
    const d = destination.get(k);
    if (!s || !d) return `key column ${k} is missing`;
    if (s.order !== d.order) return `key column ${k} sorts differently (source: ${s.order}, destination: ${d.order})`;
  }
  return null;
}
