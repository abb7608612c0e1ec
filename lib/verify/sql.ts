import { quoteIdent } from "@/lib/naming/identifiers";
import { rowHashSql, type TColumnHash, type TRowHash } from "./row-hash";

export { rowHashSql, type TColumnHash, type TRowHash };

/**
 * One side of a comparison as SQL sees it. Both sides get the same statement shapes; only the relation,
 * the key types (for casting bound text values) and the destination's live-row filter differ.
 */
export type TSideShape = {
  /** Schema-qualified, quoted relation. */
  relation: string;
  /** Primary key columns (names) and their types on this side (format_type text). */
  key: { name: string; type: string }[];
  /** The compared columns, in the same order on both sides, and their types on this side. */
  columns: string[];
  columnTypes: string[];
  /** The destination's `_sdc_deleted_at IS NULL`; none at the source. */
  liveOnly: boolean;
  /** The _sdc_* columns the table has (the destination's; none at the source). */
  sdcColumns: string[];
  /** How each compared column enters the row hash (the same on both sides; see row-hash.ts). */
  columnHashes: TColumnHash[];
  /** The row hash, the same on both sides. */
  hash: TRowHash;
};

/** A range bound: the key's values as text (as the server prints them), or null for "no bound". */
export type TKeyBound = string[] | null;

/** Type text from format_type, refused if it could carry anything but a type name. */
export function checkedType(type: string): string {
  if (/[;]|--|\/\*/.test(type)) throw new Error(`Refusing an unexpected column type: ${type}`);
  return type;
}

const col = (name: string): string => `t.${quoteIdent(name)}`;

function keyTuple(s: TSideShape): string {
  return `(${s.key.map((k) => col(k.name)).join(", ")})`;
}

/** `(k1, k2) > ($n::T1, $m::T2)`, its parameters appended to `params`. */
function boundSql(s: TSideShape, op: ">" | "<=", bound: string[], params: unknown[]): string {
  const vals = s.key.map((k, i) => {
    params.push(bound[i]);
    return `$${params.length}::${checkedType(k.type)}`;
  });
  return `${keyTuple(s)} ${op} (${vals.join(", ")})`;
}

/** The WHERE clause of the range (lo, hi] on this side (each bound optional). */
export function rangeWhere(s: TSideShape, lo: TKeyBound, hi: TKeyBound, params: unknown[]): string {
  const parts: string[] = [];
  if (s.liveOnly) parts.push(`t."_sdc_deleted_at" IS NULL`);
  if (lo) parts.push(boundSql(s, ">", lo, params));
  if (hi) parts.push(boundSql(s, "<=", hi, params));
  return parts.length > 0 ? `WHERE ${parts.join(" AND ")}` : "";
}

export function orderBySql(s: TSideShape, desc = false): string {
  return s.key.map((k) => `${quoteIdent(k.name)}${desc ? " DESC" : ""}`).join(", ");
}

/** The key's values as a JSON array of text (one column to carry a composite key). */
function keyJson(s: TSideShape, prefix: string): string {
  return `json_build_array(${s.key.map((k) => `${prefix}${quoteIdent(k.name)}::text`).join(", ")})::text`;
}

/**
 * The next `limit` rows after `lo` (up to `hi`) in key order, through the primary key index: their count,
 * summed hash and last key. One statement; the rows stay in the server.
 */
export function walkStepSql(s: TSideShape, lo: TKeyBound, hi: TKeyBound, limit: number): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const where = rangeWhere(s, lo, hi, values);
  values.push(limit);
  const keys = s.key.map((k) => col(k.name)).join(", ");
  const text = `WITH r AS MATERIALIZED (SELECT ${keys}, ${rowHashSql(s)} AS h FROM ${s.relation} AS t ${where} ORDER BY ${s.key.map((k) => col(k.name)).join(", ")} LIMIT $${values.length})
SELECT count(*)::text AS n, coalesce(sum(h), 0)::text AS s, (SELECT ${keyJson(s, "")} FROM r ORDER BY ${orderBySql(s, true)} LIMIT 1) AS last FROM r`;
  return { text, values };
}

/**
 * The key `limit` rows after `lo` in key order (the end of the next range), read through the primary key
 * index (an index-only scan on a vacuumed table); no row when fewer remain. The key is rendered for that
 * one row only: in the scan's own output it would be built for every row the OFFSET skips.
 */
export function boundarySql(s: TSideShape, lo: TKeyBound, limit: number): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const where = rangeWhere(s, lo, null, values);
  values.push(limit - 1);
  const keys = s.key.map((k) => col(k.name)).join(", ");
  return { text: `SELECT ${keyJson(s, "t.")} AS last FROM (SELECT ${keys} FROM ${s.relation} AS t ${where} ORDER BY ${keys} OFFSET $${values.length} LIMIT 1) AS t`, values };
}

/** Count and summed hash of the range (lo, hi]. */
export function rangeHashSql(s: TSideShape, lo: TKeyBound, hi: TKeyBound): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const where = rangeWhere(s, lo, hi, values);
  return { text: `SELECT count(*)::text AS n, coalesce(sum(${rowHashSql(s)}), 0)::text AS s FROM ${s.relation} AS t ${where}`, values };
}

/** Every row of a (small) range: its key as JSON text and its hash. */
export function rangeRowsSql(s: TSideShape, lo: TKeyBound, hi: TKeyBound): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const where = rangeWhere(s, lo, hi, values);
  return { text: `SELECT ${keyJson(s, "t.")} AS k, ${rowHashSql(s)}::text AS h FROM ${s.relation} AS t ${where}`, values };
}

/** `unnest($1::text[], …) AS u(v0, …)` of the keys and `t.k = u.v0::T AND …` to join it on. */
export function keysJoinSql(s: TSideShape, keys: string[][], values: unknown[]): { unnest: string; on: string } {
  const arrays = s.key.map((_, i) => {
    values.push(keys.map((k) => k[i]));
    return `$${values.length}::text[]`;
  });
  const aliases = s.key.map((_, i) => `v${i}`).join(", ");
  const on = s.key.map((k, i) => `${col(k.name)} = u.v${i}::${checkedType(k.type)}`).join(" AND ");
  return { unnest: `unnest(${arrays.join(", ")}) AS u(${aliases})`, on };
}

/** `FROM rel AS t JOIN unnest($1::text[], …) AS u(v0, …) ON t.k = u.v0::T …`: rows by key, through the index. */
function byKeysFrom(s: TSideShape, keys: string[][], values: unknown[]): string {
  const j = keysJoinSql(s, keys, values);
  return `${s.relation} AS t JOIN ${j.unnest} ON ${j.on}`;
}

/** Key (JSON text) and hash of the rows with these keys (absent keys return no row). */
export function rowsByKeysSql(s: TSideShape, keys: string[][]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const from = byKeysFrom(s, keys, values);
  const live = s.liveOnly ? `WHERE t."_sdc_deleted_at" IS NULL` : "";
  return { text: `SELECT ${keyJson(s, "t.")} AS k, ${rowHashSql(s)}::text AS h FROM ${from} ${live}`, values };
}

/** The compared columns' text of the rows with these keys, plus the key as JSON text (Repair's read). */
export function valuesByKeysSql(s: TSideShape, keys: string[][]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const from = byKeysFrom(s, keys, values);
  const cols = s.columns.map((c, i) => `${col(c)}::text AS c${i}`).join(", ");
  return { text: `SELECT ${keyJson(s, "t.")} AS k, ${cols} FROM ${from}`, values };
}

/** Count and order-independent hash of the whole table (keyless tables; no sort). */
export function wholeTableSql(s: TSideShape): { text: string; values: unknown[] } {
  const live = s.liveOnly ? `WHERE t."_sdc_deleted_at" IS NULL` : "";
  return { text: `SELECT count(*)::text AS n, coalesce(sum(${rowHashSql(s)}), 0)::text AS s FROM ${s.relation} AS t ${live}`, values: [] };
}
