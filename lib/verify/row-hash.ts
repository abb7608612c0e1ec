import { quoteIdent } from "@/lib/naming/identifiers";

/**
 * The row hash, the same on both sides: "record" (PostgreSQL 14+ on both: hash_record_extended over
 * exact per-column forms, no row text), else the row's text through hashtextextended (11+), else md5.
 */
export type TRowHash = "record" | "hashtextextended" | "md5";

/**
 * How one compared column enters the "record" hash. Each form is exact: two values get the same form
 * only when their text (the copy's own form) is the same.
 *  - value: the value itself; its type's hash reads all of it (int2/int4/bool/date/uuid/oid/bytea).
 *  - text_c: text bytes under collation "C" (a column's non-deterministic collation would fold case).
 *  - send: the binary send form. int8's hash folds 64 bits into 32 (-1 and 4294967295 would be one
 *    value; timestamps and times are int8 inside); numeric's keeps the display scale (1.0 vs 1.00) and
 *    NaN / ±Infinity apart from NULL and 0, which its hash does not, and costs half its text.
 *  - float: the send form with every NaN made the canonical NaN (arithmetic leaves a negative NaN that
 *    prints the same "NaN"); -0 and 0 stay apart, as their text does.
 *  - text: the value's text (enums by label, json, arrays, intervals, everything else, and every
 *    column whose type differs between the two sides).
 */
export type TColumnHash = "value" | "text_c" | "send" | "float" | "text";

const VALUE_TYPES = new Set(["smallint", "integer", "boolean", "date", "uuid", "oid", "bytea"]);
const SEND_FUNCTIONS: [RegExp, string][] = [
  [/^bigint$/, "int8send"],
  [/^timestamp(\(\d\))? without time zone$/, "timestamp_send"],
  [/^timestamp(\(\d\))? with time zone$/, "timestamptz_send"],
  [/^time(\(\d\))? without time zone$/, "time_send"],
  // Stored numerics are normalized (no leading or trailing zero digits, zero is positive), so equal
  // text means equal send bytes.
  [/^numeric(\(\d+(,-?\d+)?\))?$/, "numeric_send"],
];
const FLOAT_TYPES: Record<string, string> = { "double precision": "float8", real: "float4" };

/** A column's form in the "record" hash from its type on each side (format_type text; built-in types only). */
export function columnHash(source: { type: string; builtin: boolean }, destination: { type: string; builtin: boolean }): TColumnHash {
  if (source.type !== destination.type || !source.builtin || !destination.builtin) return "text";
  const t = source.type;
  if (VALUE_TYPES.has(t)) return "value";
  if (t === "text" || /^character varying(\(\d+\))?$/.test(t)) return "text_c";
  if (SEND_FUNCTIONS.some(([re]) => re.test(t))) return "send";
  if (t in FLOAT_TYPES) return "float";
  return "text";
}

function columnForm(ref: string, type: string, form: TColumnHash): string {
  switch (form) {
    case "value":
      return ref;
    case "text_c":
      return `${ref}::text COLLATE "C"`;
    case "send":
      return `pg_catalog.${SEND_FUNCTIONS.find(([re]) => re.test(type))![1]}(${ref})`;
    case "float": {
      const f = FLOAT_TYPES[type]!;
      return `pg_catalog.${f}send(CASE WHEN ${ref} = 'NaN'::${f} THEN 'NaN'::${f} ELSE ${ref} END)`;
    }
    case "text":
      return `${ref}::text COLLATE "C"`;
  }
}

/** What rowHashSql needs of one side. */
export type TRowHashInput = { columns: string[]; columnTypes: string[]; columnHashes: TColumnHash[]; hash: TRowHash };

/**
 * A row's 64-bit hash of the compared columns, in order. Summed per range (as numeric), so a range's
 * digest does not depend on the order rows are read in. "record" skips rendering rows as text, which
 * costs more than reading them (timestamps and floats above all); the others hash the row's text.
 */
export function rowHashSql(s: TRowHashInput, alias = "t"): string {
  const ref = (name: string): string => `${alias}.${quoteIdent(name)}`;
  if (s.hash === "record") {
    const forms = s.columns.map((c, i) => columnForm(ref(c), s.columnTypes[i]!, s.columnHashes[i] ?? "text"));
    return `pg_catalog.hash_record_extended(ROW(${forms.join(", ")}), 0)`;
  }
  const text = `ROW(${s.columns.map(ref).join(", ")})::text`;
  if (s.hash === "hashtextextended") return `pg_catalog.hashtextextended(${text}, 0)`;
  return `('x' || substr(md5(${text}), 1, 16))::bit(64)::bigint`;
}

/** The hash both servers have: hash_record_extended came with PostgreSQL 14, hashtextextended with 11. */
export function commonRowHash(sourceVersion: number, destinationVersion: number): TRowHash {
  const v = Math.min(sourceVersion, destinationVersion);
  return v >= 140000 ? "record" : v >= 110000 ? "hashtextextended" : "md5";
}
