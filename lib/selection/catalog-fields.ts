import type { TCatalogTable } from "@/db/schema";

/** The catalog fields every view of a table carries (list rows, finalized selections, the engine's tables). */
export type TCatalogFields = Pick<TCatalogTable, "tableKey" | "database" | "schema" | "name" | "kind" | "rowEstimate" | "accessible">;

export function catalogFields(t: TCatalogFields): TCatalogFields {
  return { tableKey: t.tableKey, database: t.database, schema: t.schema, name: t.name, kind: t.kind, rowEstimate: t.rowEstimate, accessible: t.accessible };
}
