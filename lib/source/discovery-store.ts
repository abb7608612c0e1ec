import { and, eq, inArray, sql } from "drizzle-orm";
import type { TDb } from "@/db/client";
import { catalogTables, integrations, tableSelections, type TTableSelectionState } from "@/db/schema";
import { recordAudit, type TAuditActor } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { addNewColumns } from "@/lib/selection/rules";
import { loadSourceConnection } from "./integration-connection";
import { discoverSource, type TDiscoveredRelation, type TDiscovery } from "./discovery";

export type TCatalogRefresh = {
  tables: number;
  databases: { name: string; tables: number; error: string | null }[];
  /** Tracked tables that gained columns (selected by default), tableKey → new column names. */
  newColumns: Record<string, string[]>;
  discoverMs: number;
  storeMs: number;
  discoveredAt: Date;
};

const CHUNK = 2000;

/**
 * Replaces the integration's catalog with a discovery's result, in one transaction. Tables of a database
 * that could not be reached this time are kept as they were (a transient failure must not hide them).
 * Columns that appeared on a tracked table are added to its selections (pending and finalized), so
 * they replicate by default. A refresh a user asked for (`actor`) is audited in the same transaction.
 */
export async function storeCatalog(db: TDb, integrationId: string, discovery: TDiscovery, actor?: TAuditActor): Promise<Omit<TCatalogRefresh, "discoverMs" | "storeMs" | "discoveredAt"> & { discoveredAt: Date }> {
  const discoveredAt = new Date();
  const relations: TDiscoveredRelation[] = discovery.databases.flatMap((d) => d.relations);
  const failed = discovery.databases.filter((d) => d.error !== null).map((d) => d.name);
  const newColumns: Record<string, string[]> = {};

  await db.transaction(async (tx) => {
    // Serialize concurrent refreshes of one integration (Refresh clicked while a job starts).
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('catalog:' || ${integrationId}))`);

    const selections = await tx
      .select()
      .from(tableSelections)
      .where(eq(tableSelections.integrationId, integrationId))
      .for("update");
    const tracked = selections.filter((s) => s.pending?.tracked || s.finalized?.tracked);
    const previous = new Map<string, string[]>();
    if (tracked.length > 0) {
      const old = await tx
        .select({ tableKey: catalogTables.tableKey, columns: catalogTables.columns })
        .from(catalogTables)
        .where(and(eq(catalogTables.integrationId, integrationId), inArray(catalogTables.tableKey, tracked.map((t) => t.tableKey))));
      for (const o of old) previous.set(o.tableKey, o.columns.map((c) => c.name));
    }

    for (let i = 0; i < relations.length; i += CHUNK) {
      const rows = relations.slice(i, i + CHUNK).map((r) => ({
        table_key: r.tableKey,
        database: r.database,
        schema: r.schema,
        name: r.name,
        kind: r.kind,
        row_estimate: r.rowEstimate,
        accessible: r.accessible,
        columns: r.columns,
      }));
      await tx.execute(sql`
        INSERT INTO catalog_tables (integration_id, table_key, database, schema, name, kind, row_estimate, accessible, columns, discovered_at)
        SELECT ${integrationId}::uuid, r.table_key, r.database, r.schema, r.name, r.kind::relation_kind, r.row_estimate, r.accessible, r.columns, ${discoveredAt.toISOString()}::timestamptz
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          AS r(table_key text, database text, schema text, name text, kind text, row_estimate bigint, accessible boolean, columns jsonb)
        ON CONFLICT (integration_id, table_key) DO UPDATE SET
          database = EXCLUDED.database, schema = EXCLUDED.schema, name = EXCLUDED.name, kind = EXCLUDED.kind,
          row_estimate = EXCLUDED.row_estimate, accessible = EXCLUDED.accessible, columns = EXCLUDED.columns,
          discovered_at = EXCLUDED.discovered_at`);
    }
    await tx.execute(sql`
      DELETE FROM catalog_tables
      WHERE integration_id = ${integrationId}::uuid
        AND discovered_at <> ${discoveredAt.toISOString()}::timestamptz
        AND database NOT IN (SELECT jsonb_array_elements_text(${JSON.stringify(failed)}::jsonb))`);

    const byKey = new Map(relations.map((r) => [r.tableKey, r]));
    for (const s of tracked) {
      const before = previous.get(s.tableKey);
      const now = byKey.get(s.tableKey);
      if (!before || !now) continue;
      const known = new Set(before);
      const added = now.columns.filter((c) => !known.has(c.name)).map((c) => c.name);
      if (added.length === 0) continue;
      newColumns[s.tableKey] = added;
      const grow = (st: TTableSelectionState | null) => (st?.tracked ? addNewColumns(st, added) : st);
      await tx
        .update(tableSelections)
        .set({ pending: grow(s.pending), finalized: grow(s.finalized), updatedAt: new Date() })
        .where(eq(tableSelections.id, s.id));
    }
    const details = { tables: relations.length, databases: discovery.databases.length, newColumns: Object.keys(newColumns).length };
    if (actor) await recordAudit(tx, actor, { action: "catalog.refresh", objectType: "integration", objectId: integrationId, details });
  });

  return {
    tables: relations.length,
    databases: discovery.databases.map((d) => ({ name: d.name, tables: d.relations.length, error: d.error })),
    newColumns,
    discoveredAt,
  };
}

/**
 * Discovers the integration's source and stores the result as its catalog. The dashboard's `Refresh`
 * (audited as `actor`) and the worker (before every job) call this.
 */
export async function refreshCatalog(db: TDb, scope: { teamId: string; integrationId: string }, actor?: TAuditActor): Promise<TCatalogRefresh> {
  const { integrationId } = scope;
  const [integration] = await db.select().from(integrations).where(and(eq(integrations.teamId, scope.teamId), eq(integrations.id, integrationId))).limit(1);
  if (!integration) throw new AppError("NOT_FOUND", "No such integration");
  const conn = await loadSourceConnection(db, integration);
  let discovery: TDiscovery;
  try {
    discovery = await discoverSource(conn);
  } catch (err) {
    throw new AppError("CONNECTION", `Discovery could not read the source: ${err instanceof Error ? err.message : String(err)}`);
  }
  const t0 = performance.now();
  const stored = await storeCatalog(db, integrationId, discovery, actor);
  return { ...stored, discoverMs: discovery.durationMs, storeMs: Math.round(performance.now() - t0) };
}
