import type pg from "pg";
import { and, eq } from "drizzle-orm";
import { catalogTables } from "@/db/schema";
import type { TLogBasedInput } from "../../log-based-registry";
import { relationSql } from "@/lib/connectors/postgres/source/session";
import { followOlderChanges, reconcileColumns, savedColumnHistory, withLiveColumns } from "./column-drift";
import { partitionsRecord, type TSavedPosition, type TTableContext } from "./first-copy";
import { partitionChangeReason } from "./partitions";
import type { TSlotInfo } from "../slot/slot";
import { stateRecord, usableState } from "../state";
import { buildLogTable, type TLogTable } from "./table-context";

type TEntry = TLogBasedInput["tables"][number];

/** The table as this job reads it: its live columns, partitions and the wal2json quirks of its types. */
export async function buildTable(input: TLogBasedInput, client: pg.Client, entry: TEntry, slot: TSlotInfo): Promise<TLogTable> {
  const { table, destinationTable } = entry;
  const [cat] = await input.ctx.db
    .select({ columns: catalogTables.columns })
    .from(catalogTables)
    .where(and(eq(catalogTables.integrationId, input.integration.id), eq(catalogTables.tableKey, table.tableKey)))
    .limit(1);
  const { t, replicaIdentity } = await buildLogTable(client, table, destinationTable, (cat?.columns ?? []).map((c) => c.name));
  if (t.spec.primaryKey.length === 0 && replicaIdentity !== "f") {
    const rel = relationSql(table.schema, table.name);
    input.ctx.log.warn("tap", `${rel} has no primary key and REPLICA IDENTITY is not FULL: its updates and deletes cannot be identified. Fix: ALTER TABLE ${rel} REPLICA IDENTITY FULL;`);
  }
  if (slot.plugin === "wal2json") {
    const numeric = /^(numeric|real|double precision|float[48]?|decimal)(\(.*\))?$/;
    t.buffer.setAmbiguousNullColumns(t.spec.columns.filter((c) => numeric.test(t.sourceTypes.get(c.name) ?? c.type)).map((c) => c.name));
  }
  return t;
}

/**
 * A tracked table and where its changes continue from: its saved position when the destination table
 * is still exact for the source as it is now, else null (a first copy). A reset asks for a copy; so do
 * partitions that brought or took rows, and column changes whose values never passed through the stream.
 * Renames and safe widenings are made at the destination here, before any change is applied.
 */
export async function prepareTable(input: TLogBasedInput, client: pg.Client, entry: TEntry, slot: TSlotInfo): Promise<TTableContext> {
  const { ctx, loader } = input;
  const log = ctx.log;
  const { table } = entry;
  const t = await buildTable(input, client, entry, slot);
  const saved = usableState(await loader.readState(table.tableKey), slot.name);
  if (!saved) return { t, saved: null };
  if (table.resetRequestedAt || input.integrationReset) {
    log.info("main", `Resetting ${table.tableKey}: ${table.resetRequestedAt ? "a reset was requested" : "the integration was reset"}; the table is copied again and replaced atomically`);
    return { t, saved: null };
  }
  const rel = relationSql(table.schema, table.name);
  const history = savedColumnHistory(saved.state, t.columns);
  const reason =
    recreatedReason(rel, saved.state.relid, t.relid) ??
    (await partitionChangeReason(client, log, rel, saved.state.partitions, t.partitions)) ??
    (await reconcileColumns(t, history, t.columns, loader, log));
  if (reason) {
    log.warn("main", reason);
    return { t, saved: null };
  }
  followOlderChanges(t, history);
  const state = { ...withLiveColumns(saved.state, t), ...partitionsRecord(t), relid: t.relid };
  // Kept at once (same position): a rename made above is not seen as a rename again by the next job.
  if (JSON.stringify(state) !== JSON.stringify(saved.state)) await loader.saveState(table.tableKey, stateRecord(state));
  const position: TSavedPosition = { state, lsn: saved.lsn };
  return { t, saved: position };
}

/** A table dropped and created again under its name: none of the old rows' removal passed through the stream. */
function recreatedReason(rel: string, savedRelid: number | undefined, relid: number): string | null {
  if (savedRelid === undefined || savedRelid === relid) return null;
  return `${rel} was dropped and created again at the source since the last copy (a new table under the same name): its rows are copied again and replace the destination table atomically`;
}
