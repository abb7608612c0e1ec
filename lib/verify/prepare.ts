import type pg from "pg";
import { relationSql } from "@/lib/connectors/postgres/source/session";
import { keyOrderMismatch, readColumns } from "./catalog";
import { columnHash, commonRowHash } from "./row-hash";
import type { TSideShape } from "./sql";
import type { TVerifyTarget } from "./types";

/** How one table is compared, or why it is not. */
export type TTablePlan =
  | { mode: "ranges" | "whole_table"; srcShape: TSideShape; dstShape: TSideShape; note?: string }
  | { mode: "skipped"; note: string }
  | { mode: "error"; error: string };

const isSdc = (c: string): boolean => c.startsWith("_sdc_");

async function serverVersion(client: pg.Client): Promise<number> {
  const res = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
  return Number(res.rows[0]?.v ?? 0);
}

/**
 * Reads both tables' columns and decides: compared columns are the tracked source columns the
 * destination table has (never _sdc_*); keyed tables go by primary-key ranges when the key sorts the
 * same on both sides, otherwise (and for keyless tables) by count and whole-table hash.
 */
export async function planTable(input: { src: pg.Client; dst: pg.Client; schema: string; target: TVerifyTarget }): Promise<TTablePlan> {
  const { target } = input;
  if (target.kind === "view") return { mode: "skipped", note: "not verified: a view" };
  const srcCols = await readColumns(input.src, target.sourceSchema, target.sourceTable);
  if (!srcCols) return { mode: "error", error: `The source table ${target.sourceSchema}.${target.sourceTable} was not found` };
  const dstCols = await readColumns(input.dst, input.schema, target.destinationTable);
  if (!dstCols) return { mode: "error", error: `The destination table ${input.schema}.${target.destinationTable} was not found (no job has loaded it yet?)` };
  const columns = target.columns.filter((c) => !isSdc(c) && srcCols.has(c) && dstCols.has(c));
  if (columns.length === 0) return { mode: "error", error: "No tracked column is present on both sides" };
  const keyed = target.primaryKey.length > 0 && target.primaryKey.every((k) => columns.includes(k));
  const srcKey = keyed ? target.primaryKey.map((name) => ({ name, type: srcCols.get(name)!.type })) : [];
  const dstKey = keyed ? target.primaryKey.map((name) => ({ name, type: dstCols.get(name)!.type })) : [];
  const hash = commonRowHash(await serverVersion(input.src), await serverVersion(input.dst));
  const columnHashes = columns.map((c) => columnHash(srcCols.get(c)!, dstCols.get(c)!));
  const srcShape: TSideShape = {
    relation: relationSql(target.sourceSchema, target.sourceTable),
    key: srcKey,
    columns,
    columnTypes: columns.map((c) => srcCols.get(c)!.type),
    liveOnly: false,
    sdcColumns: [],
    columnHashes,
    hash,
  };
  const dstShape: TSideShape = {
    relation: relationSql(input.schema, target.destinationTable),
    key: dstKey,
    columns,
    columnTypes: columns.map((c) => dstCols.get(c)!.type),
    liveOnly: dstCols.has("_sdc_deleted_at"),
    sdcColumns: [...dstCols.keys()].filter(isSdc),
    columnHashes,
    hash,
  };
  if (!keyed) {
    const note = target.primaryKey.length > 0 ? "compared as a whole table: a key column is not tracked" : "a keyless table: compared by row count and whole-table hash";
    return { mode: "whole_table", srcShape, dstShape, note };
  }
  const mismatch = keyOrderMismatch(target.primaryKey, srcCols, dstCols);
  if (mismatch) return { mode: "whole_table", srcShape, dstShape, note: `compared as a whole table: ${mismatch}` };
  return { mode: "ranges", srcShape, dstShape };
}
