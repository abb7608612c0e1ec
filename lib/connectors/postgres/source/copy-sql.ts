import type { TKeyRange, TSourceTable } from "../../contracts";
import { quoteIdent, quoteLiteral } from "@/lib/naming/identifiers";
import { relationSql } from "./session";

/** What the reads' SQL needs of a table: its kind, the columns read, which are generated, the key's types. */
export type TReadShape = {
  table: TSourceTable;
  columns: string[];
  /** Generated columns (COPY of a table cannot name them, a COPY of a SELECT can). */
  generated: ReadonlySet<string>;
  /** A key column's type as the source declares it, for the bounds' casts; throws when it is gone. */
  typeOf(column: string): string;
};

/**
 * The whole table: plain tables copy directly; views, materialized views, partitioned tables and tables
 * with a generated column among those read (COPY cannot name one) through a SELECT.
 */
export function fullTableCopySql(run: { table: TSourceTable; spec: { columns: { name: string }[] }; sourceColumns?: { name: string; generated: boolean }[] }): string {
  const cols = run.spec.columns.map((c) => quoteIdent(c.name)).join(", ");
  const rel = relationSql(run.table.schema, run.table.name);
  const generated = new Set((run.sourceColumns ?? []).filter((c) => c.generated).map((c) => c.name));
  const direct = (run.table.kind ?? "table") === "table" && !run.spec.columns.some((c) => generated.has(c.name));
  return direct ? `COPY ${rel} (${cols}) TO STDOUT` : `COPY (SELECT ${cols} FROM ${rel}) TO STDOUT`;
}

/** The key's bounds as SQL; values are inlined as literals cast to the key's source type. */
function keySql(shape: TReadShape, key: string[]) {
  const keyList = key.map(quoteIdent).join(", ");
  const tuple = (values: string[]) => values.map((v, i) => `${quoteLiteral(v)}::${shape.typeOf(key[i]!)}`).join(", ");
  return {
    keyList,
    notNull: key.map((k) => `${quoteIdent(k)} IS NOT NULL`).join(" AND "),
    isNull: key.map((k) => `${quoteIdent(k)} IS NULL`).join(" OR "),
    tuple,
    lower: (lo: string[] | null, inclusive: boolean) => (lo ? ` AND (${keyList}) ${inclusive ? ">=" : ">"} (${tuple(lo)})` : ""),
  };
}

/** COPY text of the rows of a key range (Key-based batches), or of the whole table without one. */
export function rangeCopySql(shape: TReadShape, range: TKeyRange | undefined): string {
  const rel = relationSql(shape.table.schema, shape.table.name);
  const cols = shape.columns.map(quoteIdent).join(", ");
  if (!range) return fullTableCopySql({ table: shape.table, spec: { columns: shape.columns.map((name) => ({ name })) }, sourceColumns: [...shape.generated].map((name) => ({ name, generated: true })) });
  const k = keySql(shape, range.columns);
  if ("nulls" in range) return `COPY (SELECT ${cols} FROM ${rel} WHERE ${k.isNull}) TO STDOUT`;
  const upper = range.through ? ` AND (${k.keyList}) <= (${k.tuple(range.through)})` : "";
  return `COPY (SELECT ${cols} FROM ${rel} WHERE ${k.notNull}${k.lower(range.after, range.inclusive)}${upper} ORDER BY ${k.keyList}) TO STDOUT`;
}

/** The key of the rows-th row from the range's start, or the highest key in it. */
export function findKeySql(shape: TReadShape, range: { columns: string[]; after: string[] | null; inclusive: boolean }, at: { rows: number } | "last"): string {
  const rel = relationSql(shape.table.schema, shape.table.name);
  const k = keySql(shape, range.columns);
  const where = `WHERE ${k.notNull}${k.lower(range.after, range.inclusive)}`;
  if (at === "last") return `SELECT ${k.keyList} FROM ${rel} ${where} ORDER BY ${range.columns.map((c) => `${quoteIdent(c)} DESC`).join(", ")} LIMIT 1`;
  return `SELECT ${k.keyList} FROM ${rel} ${where} ORDER BY ${k.keyList} OFFSET ${at.rows - 1} LIMIT 1`;
}

/**
 * A statement as the job log shows it: its shape, each value a numbered placeholder. Job logs are read
 * by every role, and bookmark values are source data. Quoted identifiers are skipped whole, so a quote
 * inside a table or column name cannot shift which part is treated as a value.
 */
export function statementShape(sql: string): string {
  let n = 0;
  return sql.replace(/"(?:[^"]|"")*"|'(?:[^']|'')*'/g, (m) => (m.startsWith('"') ? m : `$${++n}`));
}
