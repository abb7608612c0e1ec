import { z } from "zod";
import type { TSourceColumn } from "@/lib/connectors/types";

/**
 * Schema changes of a source table, followed by column number (attnum), not by name: a rename keeps its
 * attnum, a drop-and-add of one name gets a new one. Each method saves the columns its destination table
 * was last made from (`columns` in the table's state) and compares them with the live ones at its next run.
 */

/** A column as the destination was last made from it; saved in each table's state under `columns`. */
export type TColumnRecord = { attnum: number; type: string }; // type: the source's format_type
export type TColumnHistory = Record<string, TColumnRecord>; // by column name
export const ZColumnHistory: z.ZodType<TColumnHistory> = z.record(z.string(), z.object({ attnum: z.number().int(), type: z.string() }));

export type TColumnChanges = {
  /** attnum not in history. */
  added: TSourceColumn[];
  /** Same attnum, new name. */
  renamed: { from: string; to: string }[];
  /** History names whose attnum is gone. */
  dropped: string[];
  /** Same attnum, other type (name = current name). */
  retyped: { name: string; from: string; to: string; widening: boolean }[];
};

export const NO_COLUMN_CHANGES: TColumnChanges = { added: [], renamed: [], dropped: [], retyped: [] };

export function columnHistoryOf(columns: TSourceColumn[]): TColumnHistory {
  const out: TColumnHistory = {};
  for (const c of columns) out[c.name] = { attnum: c.attnum, type: c.sourceType };
  return out;
}

/** The history read from a saved state: null when it is absent or not readable (older states have none). */
export function parseColumnHistory(value: unknown): TColumnHistory | null {
  const parsed = ZColumnHistory.safeParse(value);
  return parsed.success && Object.keys(parsed.data).length > 0 ? parsed.data : null;
}

export function hasColumnChanges(changes: TColumnChanges): boolean {
  return changes.added.length + changes.renamed.length + changes.dropped.length + changes.retyped.length > 0;
}

/** What changed between the history and the live columns. An unknown (null or empty) history: nothing known. */
export function diffColumns(history: TColumnHistory | null | undefined, live: TSourceColumn[]): TColumnChanges {
  if (!history || Object.keys(history).length === 0) return { added: [], renamed: [], dropped: [], retyped: [] };
  const byAttnum = new Map<number, { name: string; type: string }>();
  for (const [name, rec] of Object.entries(history)) byAttnum.set(rec.attnum, { name, type: rec.type });
  const liveAttnums = new Set(live.map((c) => c.attnum));
  const changes: TColumnChanges = { added: [], renamed: [], dropped: [], retyped: [] };
  for (const c of live) {
    const before = byAttnum.get(c.attnum);
    if (!before) {
      changes.added.push(c);
      continue;
    }
    if (before.name !== c.name) changes.renamed.push({ from: before.name, to: c.name });
    if (before.type !== c.sourceType) changes.retyped.push({ name: c.name, from: before.type, to: c.sourceType, widening: isSafeWidening(before.type, c.sourceType) });
  }
  for (const [name, rec] of Object.entries(history)) if (!liveAttnums.has(rec.attnum)) changes.dropped.push(name);
  return changes;
}

/**
 * The changes that concern the given (destination) column names. Renames and drops are kept whole: a
 * destination may hold a column no longer selected, and a name passing between columns concerns both.
 */
export function changesAmong(changes: TColumnChanges, names: Iterable<string>): TColumnChanges {
  const keep = new Set(names);
  return {
    added: changes.added.filter((c) => keep.has(c.name)),
    renamed: changes.renamed,
    dropped: changes.dropped,
    retyped: changes.retyped.filter((r) => keep.has(r.name)),
  };
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A relation named for a log line: schema.table, each name quoted when it is not a plain lower-case identifier. */
export function relationLabel(schema: string, name: string): string {
  const part = (n: string) => (/^[a-z_][a-z0-9_$]*$/.test(n) ? n : q(n));
  return `${part(schema)}.${part(name)}`;
}

/**
 * Plain-words reason why existing destination rows cannot be made right by DDL alone (an added column that
 * fills existing rows: default, volatile default, generated; a type change that is not a safe widening; a
 * name that now belongs to another column), or null.
 */
export function recopyReason(table: string, changes: TColumnChanges, opts: { view?: boolean } = {}): string | null {
  const reasons: string[] = [];
  // Names the destination has from columns that are gone or renamed away: a column now under such a name
  // would find the other column's values there.
  const vacated = new Set([...changes.dropped, ...changes.renamed.map((r) => r.from)]);
  for (const c of changes.added) {
    if (vacated.has(c.name)) reasons.push(`Column ${q(c.name)} of ${table} is a new column under the name of one that was dropped or renamed: the destination column holds the old column's values`);
    else if (c.fillsExisting) reasons.push(`Column ${q(c.name)} was added to ${table} ${addedHow(c, opts.view === true)}`);
  }
  for (const r of changes.renamed) {
    if (vacated.has(r.to) || changes.renamed.some((o) => o !== r && o.from === r.to)) {
      reasons.push(`Column ${q(r.from)} of ${table} was renamed to ${q(r.to)}, the name another column had: the destination cannot tell their values apart`);
    }
  }
  for (const t of changes.retyped) {
    if (!t.widening) reasons.push(`Column ${q(t.name)} of ${table} changed type from ${t.from} to ${t.to}, which the destination column cannot take by an exact conversion`);
  }
  if (reasons.length === 0) return null;
  return `${reasons.join("; ")}, so the table is copied again to bring the existing rows' values`;
}

function addedHow(c: TSourceColumn, view: boolean): string {
  if (view) return "(a view): the view gives it a value in every existing row";
  if (c.generated) return "as a generated column: PostgreSQL computes it for existing rows without changing them";
  return "with a default: PostgreSQL fills existing rows without changing them";
}

type TParsedType = { base: string; args: number[] };

/** "numeric(12,2)" → numeric [12, 2]; "timestamp(3) without time zone" → "timestamp without time zone" [3]. */
function parseType(t: string): TParsedType | null {
  const m = /^([a-z][a-z ]*?)(?:\((\d+)(?:,(\d+))?\))?( with time zone| without time zone)?$/.exec(t);
  if (!m) return null;
  const args = [m[2], m[3]].filter((a): a is string => a !== undefined).map(Number);
  return { base: `${m[1]}${m[4] ?? ""}`, args };
}

/** Digits before the decimal point an integer type may need. */
const INTEGER_DIGITS: Record<string, number> = { smallint: 5, integer: 10, bigint: 19 };
const INTEGER_RANK = ["smallint", "integer", "bigint"];
/** Types whose only modifier is a precision or length where a larger one (or none) holds every value. */
const GROWING_MODIFIER = new Set([
  "character varying",
  "bit varying",
  "timestamp without time zone",
  "timestamp with time zone",
  "time without time zone",
  "time with time zone",
]);

function numericWidens(from: TParsedType, to: TParsedType): boolean {
  if (to.args.length === 0) return true; // unconstrained numeric keeps every value and its scale
  if (from.base === "numeric") {
    if (from.args.length === 0) return false;
    const [p, s = 0] = from.args;
    const [p2, s2 = 0] = to.args;
    return s2 === s && p2! >= p!;
  }
  const digits = INTEGER_DIGITS[from.base];
  const [p2, s2 = 0] = to.args;
  return digits !== undefined && p2! - s2 >= digits;
}

/**
 * True when every value of `from` converts exactly to `to` with a plain ALTER COLUMN TYPE (both format_type
 * text). Conservative: anything not listed (domains, enums, time zones, text to anything) is false.
 */
export function isSafeWidening(from: string, to: string): boolean {
  if (from === to) return true;
  if (from.endsWith("[]") && to.endsWith("[]")) return isSafeWidening(from.slice(0, -2), to.slice(0, -2));
  const f = parseType(from);
  const t = parseType(to);
  if (!f || !t) return false;
  if (f.base in INTEGER_DIGITS) {
    if (t.base in INTEGER_DIGITS) return INTEGER_RANK.indexOf(t.base) > INTEGER_RANK.indexOf(f.base);
    if (t.base === "numeric") return numericWidens(f, t);
    // float8 holds every integer up to 2^53 exactly: int2 and int4, not int8.
    return t.base === "double precision" && f.base !== "bigint";
  }
  if (f.base === "real") return t.base === "double precision";
  if (f.base === "numeric") return t.base === "numeric" && numericWidens(f, t);
  if (f.base === "character varying" || f.base === "character") {
    if (t.base === "text") return true;
    if (f.base === "character") return false; // to varchar: padding rules differ by target
  }
  if (GROWING_MODIFIER.has(f.base) && t.base === f.base) {
    if (t.args.length === 0) return true;
    return f.args.length > 0 && t.args[0]! >= f.args[0]!;
  }
  return false;
}
