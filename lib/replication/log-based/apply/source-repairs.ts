import type pg from "pg";
import { quoteIdent } from "@/lib/naming/identifiers";
import type { TLogTable } from "../prepare/table-context";

/** wal2json's NULL for NaN / ±Infinity: read the source row; a special value there is the real one. */
export async function resolveAmbiguousNulls(source: pg.Client, t: TLogTable): Promise<void> {
  const rows = t.buffer.ambiguousNulls();
  if (rows.length === 0 || t.spec.primaryKey.length === 0) return;
  const pk = t.spec.primaryKey;
  const cols = [...new Set(rows.flatMap((r) => r.columns))];
  const rel = `${quoteIdent(t.table.schema)}.${quoteIdent(t.table.name)}`;
  const keyArrays = pk.map((k) => rows.map((r) => r.key[k] ?? null));
  const join = pk.map((k, i) => `s.${quoteIdent(k)} = k.${quoteIdent(`k${i}`)}::${t.sourceTypes.get(k) ?? "text"}`).join(" AND ");
  const special = cols.map((c) => `s.${quoteIdent(c)}::text IN ('NaN', 'Infinity', '-Infinity')`).join(" OR ");
  const res = await source.query<Record<string, string | null>>(
    `SELECT ${pk.map((k, i) => `s.${quoteIdent(k)}::text AS ${quoteIdent(`k${i}`)}`).join(", ")}, ${cols.map((c, i) => `s.${quoteIdent(c)}::text AS ${quoteIdent(`c${i}`)}`).join(", ")}
       FROM ${rel} s JOIN unnest(${pk.map((_, i) => `$${i + 1}::text[]`).join(", ")}) AS k(${pk.map((_, i) => quoteIdent(`k${i}`)).join(", ")}) ON ${join}
      WHERE ${special}`,
    keyArrays,
  );
  for (const row of res.rows) {
    const key = Object.fromEntries(pk.map((k, i) => [k, row[`k${i}`] ?? null]));
    cols.forEach((c, i) => {
      const v = row[`c${i}`];
      if (v === "NaN" || v === "Infinity" || v === "-Infinity") t.buffer.setValue(key, c, v);
    });
  }
}

/**
 * An update that changed the primary key does not carry its unchanged TOAST values: they are read
 * from the source row under the new key (the value as of now; later changes replay over it in order).
 */
export async function fillMovedRows(source: pg.Client, t: TLogTable): Promise<void> {
  const pending = t.buffer.pendingFills();
  if (pending.length === 0) return;
  const rel = `${quoteIdent(t.table.schema)}.${quoteIdent(t.table.name)}`;
  for (const { id, fill } of pending) {
    const keys = Object.keys(fill.key);
    const where = keys.map((k, i) => `${quoteIdent(k)}::text = $${i + 1}`).join(" AND ");
    const res = await source.query<Record<string, string | null>>(
      `SELECT ${fill.columns.map((c) => `${quoteIdent(c)}::text AS ${quoteIdent(c)}`).join(", ")} FROM ${rel} WHERE ${where}`,
      keys.map((k) => fill.key[k]),
    );
    const row = res.rows[0];
    if (row) t.buffer.applyFill(id, row);
  }
}
