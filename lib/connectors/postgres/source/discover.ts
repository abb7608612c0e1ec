import type pg from "pg";
import type { TSource } from "../../contracts";
import { discoverDatabase } from "@/lib/source/discovery";
import { serverVersionNum } from "@/lib/source/server-version";

/** The connected database's readable tables, views and partitioned parents (lib/source/discovery's two catalog queries). */
export async function discoverTables(client: pg.Client, database: string): ReturnType<TSource["discover"]> {
  const relations = await discoverDatabase(client, database, await serverVersionNum(client));
  return relations
    .filter((r) => r.accessible)
    .map((r) => ({
      table: { schema: r.schema, name: r.name, kind: r.kind },
      columns: r.columns.map((c) => ({ name: c.name, type: c.type })),
      primaryKey: r.columns.filter((c) => c.primaryKey).map((c) => c.name),
    }));
}
