import type { TDb } from "@/db/client";
import type { TDestination, TSource } from "@/lib/connectors/contracts";
import type { TLoadTableSpec, TReplicationState, TSourceColumn } from "@/lib/connectors/types";
import type { TJobLogger } from "@/lib/jobs/log";
import { followSourceSchema, type TSourceSchema } from "./key-based-schema";
import { parseMethodState, type TMethodState } from "./method-state";
import type { TSelectedTable } from "./selected-tables";
import { sourceTableOf } from "./table-run";

export type TTableShape = {
  /** The table, its selection following columns renamed at the source (Key-based). */
  table: TSelectedTable;
  sourceColumns: TSourceColumn[];
  spec: TLoadTableSpec;
  /** The state saved at the destination (Key-based: its Replication Key following renames), or null. */
  state: TMethodState | null;
  /** The state as stored, for what a state of no known shape still tells (its method); null when none. */
  saved: TReplicationState | null;
  /** Key-based: the source's schema changes since the state was saved. */
  schema: TSourceSchema | null;
};

/** Reads what one table's run needs from the source and the destination: live columns, key, state, the load spec. */
export async function readTableShape(input: {
  db: TDb;
  integrationId: string;
  source: TSource;
  destination: TDestination;
  log: TJobLogger;
  entry: { table: TSelectedTable; destinationTable: string };
  method: "full_table" | "key_based";
}): Promise<TTableShape> {
  const { source, method } = input;
  const sourceColumns = await source.columns(sourceTableOf(input.entry.table));
  if (sourceColumns.length === 0) throw new Error("The table has no columns at the source");
  const saved = await input.destination.readState(input.entry.table.tableKey);
  const parsed = parseMethodState(saved);
  const schema = method === "key_based" ? await followSourceSchema({ db: input.db, integrationId: input.integrationId, source, table: input.entry.table, state: parsed, sourceColumns }) : null;
  const table = schema?.table ?? input.entry.table;
  const isView = table.kind === "view" || table.kind === "materialized_view";
  const primaryKey = isView ? table.selection.viewKeyColumns : await source.primaryKey(sourceTableOf(table));
  const wanted = new Set([...table.selection.columns, ...primaryKey, ...(method === "key_based" ? table.selection.replicationKey : [])]);
  const columns = sourceColumns.filter((c) => wanted.has(c.name));
  const gone = [...wanted].filter((w) => !sourceColumns.some((c) => c.name === w));
  if (gone.length > 0) input.log.warn("tap", `${table.tableKey}: selected column(s) no longer at the source: ${gone.join(", ")}`);
  const spec = { tableKey: table.tableKey, table: input.entry.destinationTable, columns: columns.map((c) => ({ name: c.name, type: c.destinationType })), primaryKey };
  const state = schema?.state ?? parsed;
  return { table, sourceColumns, spec, state, saved: state ?? saved, schema };
}
