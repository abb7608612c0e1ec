import type pg from "pg";
import type { TCheckResult } from "../../contracts";
import { connectItem, selectItem, usageItem } from "@/lib/source/prerequisites/privileges";

/**
 * What Full Table and Key-based reads need: CONNECT, USAGE on schemas, SELECT on tables (the same items
 * the prerequisite report shows; the Log-based ones stay there). Catalog reads only.
 */
export async function checkSource(client: pg.Client): Promise<TCheckResult> {
  const user = (await client.query<{ u: string }>("SELECT current_user AS u")).rows[0]!.u;
  const found = [await connectItem(client, user), await usageItem(client, user), await selectItem(client, user)];
  const items = found.map((i) => ({ label: i.title, status: i.status === "skip" ? ("pass" as const) : i.status, detail: i.summary }));
  return { ok: items.every((i) => i.status !== "fail"), items };
}
