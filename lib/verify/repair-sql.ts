import { quoteIdent } from "@/lib/naming/identifiers";
import { checkedType, keysJoinSql, type TSideShape } from "./sql";

const REPAIR_STAMPS = ["_sdc_extracted_at", "_sdc_received_at", "_sdc_batched_at"];

/**
 * Upserts rows given as text (one array per compared column, in order) into the destination table: the
 * values cast to the destination's types, the row made live again (_sdc_deleted_at NULL) and stamped.
 */
export function upsertRowsSql(d: TSideShape, rows: (string | null)[][]): { text: string; values: unknown[] } {
  const values: unknown[] = d.columns.map((_, i) => rows.map((r) => r[i] ?? null));
  const stamps = REPAIR_STAMPS.filter((c) => d.sdcColumns.includes(c));
  const deleted = d.sdcColumns.includes("_sdc_deleted_at") ? ["_sdc_deleted_at"] : [];
  const target = [...d.columns, ...stamps, ...deleted].map(quoteIdent).join(", ");
  const select = [...d.columns.map((_, i) => `u.v${i}::${checkedType(d.columnTypes[i] ?? "text")}`), ...stamps.map(() => "now()"), ...deleted.map(() => "NULL")].join(", ");
  const arrays = d.columns.map((_, i) => `$${i + 1}::text[]`).join(", ");
  const aliases = d.columns.map((_, i) => `v${i}`).join(", ");
  const keyNames = d.key.map((k) => k.name);
  const updated = [...d.columns.filter((c) => !keyNames.includes(c)), ...stamps.filter((c) => c !== "_sdc_extracted_at"), ...deleted];
  const set = updated.map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(", ");
  const conflict = `ON CONFLICT (${keyNames.map(quoteIdent).join(", ")}) ${set ? `DO UPDATE SET ${set}` : "DO NOTHING"}`;
  return { text: `INSERT INTO ${d.relation} AS t (${target}) SELECT ${select} FROM unnest(${arrays}) AS u(${aliases}) ${conflict}`, values };
}

/** Removes rows gone at the source: deleted (Full Table, Key-based) or marked deleted (Log-based). */
export function removeRowsSql(d: TSideShape, keys: string[][], markDeleted: boolean): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const j = keysJoinSql(d, keys, values);
  if (markDeleted && d.sdcColumns.includes("_sdc_deleted_at")) {
    return { text: `UPDATE ${d.relation} AS t SET "_sdc_deleted_at" = now() FROM ${j.unnest} WHERE ${j.on} AND t."_sdc_deleted_at" IS NULL`, values };
  }
  return { text: `DELETE FROM ${d.relation} AS t USING ${j.unnest} WHERE ${j.on}`, values };
}
