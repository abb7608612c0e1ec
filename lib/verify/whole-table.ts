import type pg from "pg";
import { z } from "zod";
import { wholeTableSql, type TSideShape } from "./sql";

const ZHashRow = z.object({ n: z.string(), s: z.string() });

export type TWholeHash = { n: number; s: string };

/** Count and order-independent hash of a whole table (keyless tables): one sequential scan, no sort. */
export async function hashWholeTable(client: pg.Client, shape: TSideShape): Promise<TWholeHash> {
  const q = wholeTableSql(shape);
  const row = ZHashRow.parse((await client.query(q.text, q.values)).rows[0]);
  return { n: Number(row.n), s: row.s };
}

export function sameWhole(a: TWholeHash, b: TWholeHash): boolean {
  return a.n === b.n && a.s === b.s;
}
