import { and, asc, count, eq, ilike, or, sql, type SQL } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { catalogTables, integrations, tableSelections, type TCatalogColumn, type TTableSelectionState } from "@/db/schema";
import { effectiveState } from "./rules";
import { catalogFields, type TCatalogFields } from "./catalog-fields";

/** An integration as the team that owns it names it: every query below filters by both. */
export type TIntegrationScope = { teamId: string; integrationId: string };

/** Rows of this integration, only while it belongs to the team (catalog rows carry no team id). */
function ofTeamIntegration(column: typeof catalogTables.integrationId | typeof tableSelections.integrationId, scope: TIntegrationScope): SQL {
  return and(eq(column, scope.integrationId), sql`EXISTS (SELECT 1 FROM ${integrations} WHERE ${integrations.id} = ${scope.integrationId} AND ${integrations.teamId} = ${scope.teamId})`)!;
}

export type TCatalogFilter = { database?: string | null; schema?: string | null; search?: string | null };

export type TCatalogListRow = TCatalogFields & {
  columns: TCatalogColumn[];
  /** What the user sees: pending if any, else finalized. */
  state: TTableSelectionState | null;
  finalized: TTableSelectionState | null;
  hasPendingChange: boolean;
  resetPending: boolean;
  resetRequestedAt: Date | null;
};

export type TCatalogTree = {
  databases: { name: string; tables: number; tracked: number; schemas: { name: string; tables: number; tracked: number }[] }[];
  total: number;
  discoveredAt: Date | null;
};

function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

/** Where-clause for a filter: database, schema, and a case-insensitive search on table or schema.table. */
export function catalogWhere(scope: TIntegrationScope, f: TCatalogFilter): SQL {
  const parts: SQL[] = [ofTeamIntegration(catalogTables.integrationId, scope)];
  if (f.database) parts.push(eq(catalogTables.database, f.database));
  if (f.schema) parts.push(eq(catalogTables.schema, f.schema));
  const s = f.search?.trim();
  if (s) {
    const p = likePattern(s);
    parts.push(or(ilike(catalogTables.name, p), ilike(sql`${catalogTables.schema} || '.' || ${catalogTables.name}`, p))!);
  }
  return and(...parts)!;
}

const trackedExpr = sql<boolean>`COALESCE((COALESCE(${tableSelections.pending}, ${tableSelections.finalized}) ->> 'tracked')::boolean, false)`;

/** Databases → schemas with table counts and tracked counts, for the tree. */
export async function catalogTree(db: TDbOrTx, scope: TIntegrationScope): Promise<TCatalogTree> {
  const rows = await db
    .select({
      database: catalogTables.database,
      schema: catalogTables.schema,
      tables: count(),
      tracked: sql<number>`count(*) FILTER (WHERE ${trackedExpr})`.mapWith(Number),
      discoveredAt: sql<string | null>`max(${catalogTables.discoveredAt})`,
    })
    .from(catalogTables)
    .leftJoin(tableSelections, and(eq(tableSelections.integrationId, catalogTables.integrationId), eq(tableSelections.tableKey, catalogTables.tableKey)))
    .where(ofTeamIntegration(catalogTables.integrationId, scope))
    .groupBy(catalogTables.database, catalogTables.schema)
    .orderBy(asc(catalogTables.database), asc(catalogTables.schema));
  const dbs = new Map<string, TCatalogTree["databases"][number]>();
  let latest: Date | null = null;
  for (const r of rows) {
    let d = dbs.get(r.database);
    if (!d) dbs.set(r.database, (d = { name: r.database, tables: 0, tracked: 0, schemas: [] }));
    d.schemas.push({ name: r.schema, tables: r.tables, tracked: r.tracked });
    d.tables += r.tables;
    d.tracked += r.tracked;
    const at = r.discoveredAt ? new Date(r.discoveredAt) : null;
    if (at && (!latest || at > latest)) latest = at;
  }
  const databases = [...dbs.values()];
  return { databases, total: databases.reduce((n, d) => n + d.tables, 0), discoveredAt: latest };
}

/** One page of the table list with each table's selection; search and paging run in the database. */
export async function listCatalogTables(
  db: TDbOrTx,
  scope: TIntegrationScope,
  f: TCatalogFilter & { offset: number; limit: number },
): Promise<{ rows: TCatalogListRow[]; total: number }> {
  const where = catalogWhere(scope, f);
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(catalogTables).where(where);
  const rows = await db
    .select({ t: catalogTables, s: tableSelections })
    .from(catalogTables)
    .leftJoin(tableSelections, and(eq(tableSelections.integrationId, catalogTables.integrationId), eq(tableSelections.tableKey, catalogTables.tableKey)))
    .where(where)
    .orderBy(asc(catalogTables.database), asc(catalogTables.schema), asc(catalogTables.name))
    .offset(f.offset)
    .limit(f.limit);
  return { rows: rows.map(({ t, s }) => toListRow(t, s)), total };
}

export function toListRow(t: typeof catalogTables.$inferSelect, s: typeof tableSelections.$inferSelect | null): TCatalogListRow {
  return {
    ...catalogFields(t),
    columns: t.columns,
    state: effectiveState(s ?? undefined),
    finalized: s?.finalized ?? null,
    hasPendingChange: Boolean(s && (s.pending !== null || s.pendingResetAt !== null)),
    resetPending: Boolean(s?.pendingResetAt),
    resetRequestedAt: s?.resetRequestedAt ?? null,
  };
}

export async function getCatalogRow(db: TDbOrTx, scope: TIntegrationScope, tableKey: string): Promise<TCatalogListRow | null> {
  const [r] = await db
    .select({ t: catalogTables, s: tableSelections })
    .from(catalogTables)
    .leftJoin(tableSelections, and(eq(tableSelections.integrationId, catalogTables.integrationId), eq(tableSelections.tableKey, catalogTables.tableKey)))
    .where(and(ofTeamIntegration(catalogTables.integrationId, scope), eq(catalogTables.tableKey, tableKey)))
    .limit(1);
  return r ? toListRow(r.t, r.s) : null;
}

/** How many tables have a change waiting for `Finalize Your Selections`. */
export async function pendingChangeCount(db: TDbOrTx, scope: TIntegrationScope): Promise<number> {
  const [r] = await db
    .select({ n: count() })
    .from(tableSelections)
    .where(and(ofTeamIntegration(tableSelections.integrationId, scope), sql`(${tableSelections.pending} IS NOT NULL OR ${tableSelections.pendingResetAt} IS NOT NULL)`));
  return r?.n ?? 0;
}
