import { createHash } from "node:crypto";
import { quoteEscapedLiteral, quoteIdent, quoteLiteral } from "@/lib/naming/identifiers";
import { columnDefinitionSql, SDC_COLUMNS } from "./ddl";
import { encodeCopyValue } from "./copy-text";
import { BINARY_COPY_HEADER, isoToPgMicros } from "./copy-binary";
import type { TChange, TChangeGroup, TChangeRow, TLoadTableSpec } from "../../types";

/** The _sdc columns every staged change carries, after its source columns. */
export const CHANGE_SDC_COLUMNS = ["_sdc_extracted_at", "_sdc_received_at", "_sdc_batched_at", "_sdc_sequence", "_sdc_table_version", "_sdc_deleted_at"] as const;

const valuesOf = (c: TChange): Record<string, string | null> => (c.kind === "upsert" ? c.values : c.key);

/** Splits ordered changes into contiguous groups with the same kind and column set (order kept). */
export function groupChanges(changes: TChange[]): TChangeGroup[] {
  const groups: TChangeGroup[] = [];
  let current: TChangeGroup | null = null;
  let colSet: Set<string> | null = null;
  for (const c of changes) {
    const record = valuesOf(c);
    const keys = Object.keys(record);
    if (!(current && colSet && c.kind === current.kind && keys.length === colSet.size && keys.every((k) => colSet!.has(k)))) {
      current = { kind: c.kind, sourceCols: keys, at: keys.map((_, i) => i), rows: [] };
      colSet = new Set(keys);
      groups.push(current);
    }
    const cols = current.sourceCols;
    current.rows.push({ values: cols.map((k) => record[k] ?? null), extractedAt: c.extractedAt, sequence: c.sequence, deletedAt: c.kind === "delete" ? c.deletedAt : null });
  }
  return groups;
}

/** The per-change _sdc columns a staging table holds (the others are the same for a whole call). */
function stagedSdc(group: TChangeGroup): string[] {
  return [...(group.extractedAt === undefined ? ["_sdc_extracted_at"] : []), "_sdc_sequence", ...(group.kind === "delete" ? ["_sdc_deleted_at"] : [])];
}

/**
 * A session-lifetime TEMP staging table for one column set (ON COMMIT DELETE ROWS: emptied by every
 * commit, created once per destination session). Its name is derived from the columns and their types,
 * so CREATE … IF NOT EXISTS never reuses a table with another shape. `ordered` adds an ordinal column for
 * callers that may send several changes to one key (the last one wins).
 */
export function stagingFor(spec: TLoadTableSpec, group: TChangeGroup, ordered: boolean): { name: string; createSql: string; columns: string[] } {
  const typeOf = new Map([...spec.columns, ...SDC_COLUMNS].map((c) => [c.name, c.type]));
  const columns = [...group.sourceCols, ...stagedSdc(group), ...(ordered ? ["_sdc_ord"] : [])];
  const defs = columns.map((c) => (c === "_sdc_ord" ? `"_sdc_ord" bigint` : columnDefinitionSql(c, typeOf.get(c) ?? "text")));
  // Insert-only groups get their own table: its COPY need not wait for the merge of same-shaped upserts.
  const hash = createHash("sha1").update(`${group.insertOnly ? "insert\u0000" : ""}${defs.join("\u0000")}`).digest("hex").slice(0, 20);
  const name = `_sdc_chg_${hash}`;
  return { name, columns, createSql: `CREATE TEMP TABLE IF NOT EXISTS ${quoteIdent(name)} (${defs.join(", ")}) ON COMMIT DELETE ROWS` };
}

type TEncodeOptions = { receivedAt: string; tableVersion: number; full: boolean; ordered: boolean };

/**
 * COPY text rows of a group, in chunks of `rowsPerChunk` rows (a huge group is never one string; the
 * loader writes each chunk as soon as it is encoded, so the server parses one while the next is made).
 * `full` (straight into a keyless target): the source columns and all the _sdc columns. Otherwise
 * (staging): the source columns, the per-change _sdc columns and, `ordered`, the change's position.
 */
export function* encodeGroup(group: TChangeGroup, opts: TEncodeOptions, rowsPerChunk = 2_000): Generator<string | Buffer> {
  if (group.arena && group.binary) {
    yield* encodeBinaryArenaRows(group, group.arena, opts);
    return;
  }
  const tail = rowTail(group, opts);
  if (group.arena) {
    yield* encodeArenaRows(group, group.arena, tail);
    return;
  }
  const at = group.at;
  const n = at.length;
  let out = "";
  let inChunk = 0;
  for (const c of group.rows) {
    const values = c.values;
    let line = "";
    for (let i = 0; i < n; i++) line += `${encodeCopyValue(values[at[i]!] ?? null)}\t`;
    out += `${line}${tail(c)}\n`;
    if (++inChunk === rowsPerChunk) {
      yield out;
      out = "";
      inChunk = 0;
    }
  }
  if (out) yield out;
}

/** The part of a COPY row after its source columns: the _sdc columns (and the ordinal) the options ask for. */
function rowTail(group: TChangeGroup, opts: TEncodeOptions): (c: TChangeRow) => string {
  const fixed = opts.full ? `\t${encodeCopyValue(opts.receivedAt)}\t${encodeCopyValue(opts.receivedAt)}` : "";
  const version = opts.full ? `\t${Math.trunc(opts.tableVersion)}` : "";
  const isDelete = group.kind === "delete";
  // Straight into a keyless target every row carries _sdc_extracted_at; staging holds it only per row.
  const shared = group.extractedAt === undefined ? null : encodeCopyValue(group.extractedAt);
  const perRow = shared === null || opts.full;
  let ord = 0;
  // Rows of one source transaction share their sequence and deletion time: their tail is made once.
  let lastSeq: bigint | undefined;
  let lastDeleted: string | null | undefined;
  let last = "";
  return (c) => {
    if (!perRow && !opts.ordered && c.sequence !== undefined && c.sequence === lastSeq && c.deletedAt === lastDeleted) return last;
    const extractedAt = c.extractedAt ?? group.extractedAt ?? null;
    const seq = c.sequence ?? nextChangeSequence(extractedAt);
    let line = perRow ? `${shared ?? encodeCopyValue(extractedAt)}${fixed}\t` : "";
    line += `${seq.toString()}${version}`;
    if (isDelete) line += `\t${encodeCopyValue(c.deletedAt ?? null)}`;
    else if (opts.full) line += "\t\\N";
    if (opts.ordered) line += `\t${ord++}`;
    lastSeq = c.sequence;
    lastDeleted = c.deletedAt;
    last = line;
    return line;
  };
}

const ARENA_CHUNK_BYTES = 128 * 1024;

/** Rows whose source columns are already COPY text in `arena`: their bytes, a tab, the tail, a newline. */
function* encodeArenaRows(group: TChangeGroup, arena: Buffer, tail: (c: TChangeRow) => string): Generator<Buffer> {
  let chunk = Buffer.allocUnsafe(ARENA_CHUNK_BYTES);
  let o = 0;
  // Rows of one transaction share their tail (the same string): its bytes are made once.
  let lastTail = "";
  let tailBytes = Buffer.alloc(0);
  for (const c of group.rows) {
    const start = c.start ?? 0;
    const end = c.end ?? 0;
    const t = tail(c);
    if (t !== lastTail) {
      lastTail = t;
      tailBytes = Buffer.from(`\t${t}\n`, "latin1"); // the tail is ASCII: numbers and ISO timestamps
    }
    const need = end - start + tailBytes.length;
    if (o + need > chunk.length) {
      if (o > 0) yield chunk.subarray(0, o);
      // A fresh buffer: the one just yielded may still be queued on the socket.
      chunk = Buffer.allocUnsafe(Math.max(ARENA_CHUNK_BYTES, need));
      o = 0;
    }
    if (end - start < 64) for (let k = start; k < end; k++) chunk[o++] = arena[k]!;
    else o += arena.copy(chunk, o, start, end);
    for (let k = 0; k < tailBytes.length; k++) chunk[o++] = tailBytes[k]!;
  }
  if (o > 0) yield chunk.subarray(0, o);
}

/** The bytes binaryStagingTail makes, by kind (a delete with its time). */
export const BINARY_TAIL_BYTES = { upsert: 12, delete: 24 } as const;

/**
 * The per-change _sdc fields of a binary staging row after its source columns: _sdc_sequence and, for a
 * delete, _sdc_deleted_at (the staging layout of stagingFor, unordered, one extraction time per group).
 */
export function binaryStagingTail(kind: TChangeGroup["kind"], sequence: bigint, deletedAt: string | null): Buffer {
  const t = Buffer.allocUnsafe(BINARY_TAIL_BYTES[kind]);
  let k = t.writeBigInt64BE(sequence, t.writeInt32BE(8, 0));
  if (kind === "delete") k = deletedAt ? t.writeBigInt64BE(isoToPgMicros(deletedAt), t.writeInt32BE(8, k)) : t.writeInt32BE(-1, k);
  return t.subarray(0, k);
}

/**
 * Arena rows kept as COPY BINARY, into staging: the header, the rows, the trailer. A `framed` row is
 * already the whole staging row (field count, source columns, binaryStagingTail): runs of them that lie
 * one after the other in the arena go out as one slice of it, not copied. Another row (the fields of an
 * earlier change of its key, now deleted) gets its count and _sdc fields here.
 */
function* encodeBinaryArenaRows(group: TChangeGroup, arena: Buffer, opts: TEncodeOptions): Generator<Buffer> {
  if (opts.full || opts.ordered || group.extractedAt === undefined) throw new Error("Binary change rows go into unordered staging, with one extraction time for the group");
  const fields = group.sourceCols.length + (group.kind === "delete" ? 2 : 1);
  yield BINARY_COPY_HEADER;
  let runStart = 0;
  let runEnd = 0;
  for (const c of group.rows) {
    const start = c.start ?? 0;
    const end = c.end ?? 0;
    if (c.framed) {
      if (start === runEnd && runEnd > runStart) runEnd = end;
      else {
        if (runEnd > runStart) yield arena.subarray(runStart, runEnd);
        runStart = start;
        runEnd = end;
      }
      continue;
    }
    if (runEnd > runStart) yield arena.subarray(runStart, runEnd);
    runStart = runEnd = 0;
    const head = Buffer.allocUnsafe(2);
    head.writeInt16BE(fields);
    // An unframed row is a field count and the fields.
    yield Buffer.concat([head, arena.subarray(start + 2, end), binaryStagingTail(group.kind, c.sequence ?? nextChangeSequence(group.extractedAt), c.deletedAt ?? null)]);
  }
  if (runEnd > runStart) yield arena.subarray(runStart, runEnd);
  yield BINARY_TRAILER;
}

const BINARY_TRAILER = Buffer.from([0xff, 0xff]);

/** A per-process counter so _sdc_sequence grows within a millisecond. */
let sequenceCounter = 0n;
function nextChangeSequence(extractedAt: string | null): bigint {
  sequenceCounter = (sequenceCounter + 1n) % 1000n;
  return BigInt(extractedAt ? Date.parse(extractedAt) : Date.now()) * 1000n + sequenceCounter;
}

type TMergeOptions = { receivedAt: string; tableVersion: number };

/** Each target column a staged group writes and the expression that reads it from staging. */
function stagedSelection(group: TChangeGroup, opts: TMergeOptions): [string, string][] {
  const received = `${quoteLiteral(opts.receivedAt)}::timestamptz`;
  return [
    ...group.sourceCols.map((c): [string, string] => [c, quoteIdent(c)]),
    ["_sdc_extracted_at", group.extractedAt === undefined ? `"_sdc_extracted_at"` : `${quoteLiteral(group.extractedAt)}::timestamptz`],
    ["_sdc_received_at", received],
    ["_sdc_batched_at", received],
    ["_sdc_sequence", `"_sdc_sequence"`],
    ["_sdc_table_version", `${Math.trunc(opts.tableVersion)}::bigint`],
    ["_sdc_deleted_at", group.kind === "delete" ? `"_sdc_deleted_at"` : "NULL::timestamptz"],
  ];
}

/**
 * A plain INSERT of unordered staging into the target: for rows new at the source (TChangeGroup.insertOnly).
 * It skips the merge's key lookup before each insert (about a third of the cost of an inserted row) and
 * fails with a unique violation if a key is at the destination after all; the caller then merges.
 */
export function insertSql(target: string, staging: string, group: TChangeGroup, opts: TMergeOptions): string {
  const selected = stagedSelection(group, opts);
  return `INSERT INTO ${target} (${selected.map(([c]) => quoteIdent(c)).join(", ")}) SELECT ${selected.map(([, e]) => e).join(", ")} FROM ${quoteIdent(staging)}`;
}

/**
 * Merges a staging table into the target by the primary key, writing the group's columns only (absent
 * columns stay untouched). The _sdc values shared by the whole call are literals. Ordered staging keeps
 * the last staged row per key; unordered staging must hold one row per key. `merge` (PostgreSQL 15+): a
 * MERGE, about a fifth cheaper than INSERT … ON CONFLICT, which first locks each existing row and then
 * updates it; run it with merge and hash joins off (see MERGE_JOIN_SETTINGS). Otherwise INSERT … ON
 * CONFLICT DO UPDATE. `returning`: the statement returns the inserted and updated counts (a row per
 * change, a tenth of the merge's cost); else they are read with writtenRowsSql.
 */
export function mergeSql(target: string, staging: string, spec: TLoadTableSpec, group: TChangeGroup, opts: TMergeOptions & { ordered: boolean; merge: boolean; returning: boolean }): string {
  const selected = stagedSelection(group, opts);
  const colList = selected.map(([c]) => quoteIdent(c)).join(", ");
  const pk = spec.primaryKey.map(quoteIdent).join(", ");
  const nonKey = selected.filter(([c]) => !spec.primaryKey.includes(c)).map(([c]) => quoteIdent(c));
  if (opts.merge) {
    const aliased = selected.map(([c, e]) => `${e} AS ${quoteIdent(c)}`).join(", ");
    const source = opts.ordered
      ? `SELECT DISTINCT ON (${pk}) ${aliased} FROM ${quoteIdent(staging)} ORDER BY ${pk}, "_sdc_ord" DESC`
      : `SELECT ${aliased} FROM ${quoteIdent(staging)}`;
    const on = spec.primaryKey.map((k) => `d.${quoteIdent(k)} = s.${quoteIdent(k)}`).join(" AND ");
    const merge = `MERGE INTO ${target} AS d USING (${source}) AS s ON ${on}
         WHEN MATCHED THEN UPDATE SET ${nonKey.map((c) => `${c} = s.${c}`).join(", ")}
         WHEN NOT MATCHED THEN INSERT (${colList}) VALUES (${selected.map(([c]) => `s.${quoteIdent(c)}`).join(", ")})`;
    return opts.returning ? counted(`${merge} RETURNING merge_action() = 'INSERT' AS inserted`) : merge;
  }
  const exprs = selected.map(([, e]) => e).join(", ");
  const select = opts.ordered
    ? `SELECT DISTINCT ON (${pk}) ${exprs} FROM ${quoteIdent(staging)} ORDER BY ${pk}, "_sdc_ord" DESC`
    : `SELECT ${exprs} FROM ${quoteIdent(staging)}`;
  const upsert = `INSERT INTO ${target} (${colList})
         ${select}
         ON CONFLICT (${pk}) DO UPDATE SET ${nonKey.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}`;
  return opts.returning ? counted(`${upsert} RETURNING (xmax = 0) AS inserted`) : upsert;
}

/** A merge returning `inserted` per row → one row of inserted and updated counts. */
function counted(merge: string): string {
  return `WITH merged AS (${merge}) SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM merged`;
}

/**
 * Rows inserted and updated in `target` by this transaction so far (the statistics collector's
 * per-transaction counters). Read around each merge, they count what it did without a row per change
 * returned to count (MERGE … RETURNING cost a tenth of the merge).
 */
export function writtenRowsSql(target: string): string {
  const rel = `${quoteEscapedLiteral(target)}::regclass`;
  return `SELECT pg_stat_get_xact_tuples_inserted(${rel}) AS inserted, pg_stat_get_xact_tuples_updated(${rel}) AS updated`;
}

/**
 * For the MERGE: the staging table has no statistics, and a planner guessing would pick a merge join that
 * walks the target's whole key index, or a hash of the whole target; a key lookup per staged row is what
 * a batch needs. SET LOCAL: only for the transaction it runs in.
 */
export const MERGE_JOIN_SETTINGS = ["SET LOCAL enable_mergejoin = off", "SET LOCAL enable_hashjoin = off"];
