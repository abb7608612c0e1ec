import { and, eq, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { TDb, TDbOrTx } from "@/db/client";
import { catalogTables, integrations, tableSelections, type TIntegration, type TTableSelectionState } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { catalogWhere, type TCatalogFilter } from "./catalog-query";
import { logBasedAvailabilityFromReport } from "./log-based";
import {
  applySettings,
  effectiveState,
  finalizeProblem,
  finalizeRow,
  sameState,
  SelectionRuleError,
  setColumnSelected,
  setTracked,
  trackAll,
  type TSelectableTable,
  type TSelectionContext,
  type TTableSettings,
} from "./rules";

type TTx = Parameters<Parameters<TDb["transaction"]>[0]>[0];

/** The team's integration (anything else is "not found") and what the rules need from it. */
export async function selectionContextFor(db: TDbOrTx, teamId: string, integrationId: string): Promise<{ integration: TIntegration; ctx: TSelectionContext }> {
  if (!/^[0-9a-f-]{36}$/i.test(integrationId)) throw new AppError("NOT_FOUND", "No such integration");
  const [integration] = await db.select().from(integrations).where(and(eq(integrations.teamId, teamId), eq(integrations.id, integrationId))).limit(1);
  if (!integration) throw new AppError("NOT_FOUND", "No such integration");
  return { integration, ctx: { defaultMethod: integration.defaultMethod, logBased: logBasedAvailabilityFromReport(integration.lastReport) } };
}

function ruleError(err: unknown): never {
  if (err instanceof SelectionRuleError) throw new AppError("VALIDATION", err.message, { [err.field]: err.message });
  throw err;
}

async function lockIntegration(tx: TTx, integrationId: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('selection:' || ${integrationId}))`);
}

async function catalogTable(tx: TTx, integrationId: string, tableKey: string): Promise<TSelectableTable & { name: string }> {
  const [t] = await tx.select().from(catalogTables).where(and(eq(catalogTables.integrationId, integrationId), eq(catalogTables.tableKey, tableKey))).limit(1);
  if (!t) throw new AppError("NOT_FOUND", "This table is no longer in the source's catalog; refresh the list.");
  return t;
}

/** An untracked table that was never finalized, or a state equal to the finalized one, is no pending change. */
function isNoChange(finalized: TTableSelectionState | null, next: TTableSelectionState): boolean {
  return finalized ? sameState(finalized, next) : !next.tracked;
}

/** Writes a pending state; a pending state equal to the finalized one (and no reset asked) is no change at all. */
async function writePending(tx: TTx, integrationId: string, tableKey: string, next: TTableSelectionState): Promise<void> {
  const [row] = await tx.select().from(tableSelections).where(and(eq(tableSelections.integrationId, integrationId), eq(tableSelections.tableKey, tableKey))).limit(1);
  const pending = isNoChange(row?.finalized ?? null, next) ? null : next;
  if (row) await tx.update(tableSelections).set({ pending, updatedAt: new Date() }).where(eq(tableSelections.id, row.id));
  else await tx.insert(tableSelections).values({ integrationId, tableKey, pending });
}

async function currentState(tx: TTx, integrationId: string, tableKey: string): Promise<TTableSelectionState | null> {
  const [row] = await tx.select().from(tableSelections).where(and(eq(tableSelections.integrationId, integrationId), eq(tableSelections.tableKey, tableKey))).limit(1);
  return effectiveState(row);
}

type TScope = { teamId: string; integrationId: string };

async function editOne(db: TDbOrTx, scope: TScope, tableKey: string, edit: (current: TTableSelectionState | null, table: TSelectableTable, ctx: TSelectionContext) => TTableSelectionState): Promise<TTableSelectionState> {
  const { ctx } = await selectionContextFor(db, scope.teamId, scope.integrationId);
  return db.transaction(async (tx) => {
    await lockIntegration(tx, scope.integrationId);
    const table = await catalogTable(tx, scope.integrationId, tableKey);
    let next: TTableSelectionState;
    try {
      next = edit(await currentState(tx, scope.integrationId, tableKey), table, ctx);
    } catch (err) {
      ruleError(err);
    }
    await writePending(tx, scope.integrationId, tableKey, next);
    return next;
  });
}

/** The table's checkbox: tracking selects all columns. Pending until finalized. */
export function setTableTracked(db: TDbOrTx, scope: TScope, tableKey: string, tracked: boolean) {
  return editOne(db, scope, tableKey, (cur, table, ctx) => setTracked(cur, table, tracked, ctx));
}

/** A column's checkbox (primary-key columns cannot be deselected). Pending until finalized. */
export function setColumn(db: TDbOrTx, scope: TScope, tableKey: string, column: string, selected: boolean) {
  return editOne(db, scope, tableKey, (cur, table) => {
    if (!cur) throw new SelectionRuleError("column", "Track the table before choosing its columns.");
    return setColumnSelected(cur, table, column, selected);
  });
}

/** `Update Settings`: method, Replication Key, a view's key columns. Pending until finalized. */
export function updateTableSettings(db: TDbOrTx, scope: TScope, tableKey: string, settings: TTableSettings) {
  return editOne(db, scope, tableKey, (cur, table, ctx) => {
    if (!cur?.tracked) throw new SelectionRuleError("method", "Track the table before changing its settings.");
    return applySettings(cur, table, settings, ctx.logBased);
  });
}

/** `Reset Keys`: the next job (after finalizing) drops the table's bookmark and reloads it. */
export async function requestResetKeys(db: TDbOrTx, scope: TScope, tableKey: string): Promise<void> {
  await selectionContextFor(db, scope.teamId, scope.integrationId);
  await db.transaction(async (tx) => {
    await lockIntegration(tx, scope.integrationId);
    const [row] = await tx.select().from(tableSelections).where(and(eq(tableSelections.integrationId, scope.integrationId), eq(tableSelections.tableKey, tableKey))).limit(1);
    if (!row?.finalized?.tracked) throw new AppError("VALIDATION", "Only a table whose tracking has been finalized has keys to reset.");
    await tx.update(tableSelections).set({ pendingResetAt: new Date(), updatedAt: new Date() }).where(eq(tableSelections.id, row.id));
  });
}

/** `Track All Tables and Fields (Except Views)` over the tables the filter selects. Returns how many were tracked. */
export async function trackAllTables(db: TDbOrTx, scope: TScope, filter: TCatalogFilter): Promise<number> {
  const { ctx } = await selectionContextFor(db, scope.teamId, scope.integrationId);
  return db.transaction(async (tx) => {
    await lockIntegration(tx, scope.integrationId);
    const tables = await tx.select().from(catalogTables).where(catalogWhere(scope, filter));
    const rows = await tx.select().from(tableSelections).where(eq(tableSelections.integrationId, scope.integrationId));
    const byKey = new Map(rows.map((r) => [r.tableKey, r]));
    const effective = new Map<string, TTableSelectionState>();
    for (const r of rows) {
      const e = effectiveState(r);
      if (e) effective.set(r.tableKey, e);
    }
    let next: Map<string, TTableSelectionState>;
    try {
      next = trackAll(tables, effective, ctx);
    } catch (err) {
      ruleError(err);
    }
    const values = [...next.entries()].map(([tableKey, state]) => {
      const row = byKey.get(tableKey);
      return { integrationId: scope.integrationId, tableKey, pending: isNoChange(row?.finalized ?? null, state) ? null : state, updatedAt: new Date() };
    });
    for (let i = 0; i < values.length; i += 1000) {
      await tx
        .insert(tableSelections)
        .values(values.slice(i, i + 1000))
        .onConflictDoUpdate({ target: [tableSelections.integrationId, tableSelections.tableKey], set: { pending: sql`excluded.pending`, updatedAt: sql`excluded.updated_at` } });
    }
    return values.length;
  });
}

/**
 * `Finalize Your Selections`: every pending change becomes final at once. A method or key change, or a
 * pending `Reset Keys`, asks the next job to reset that table. Refused, changing nothing, when a tracked
 * table's settings are incomplete (key-based without a key, log-based where it is not available).
 */
export async function finalizeSelections(db: TDbOrTx, scope: TScope): Promise<{ changed: number; resets: string[] }> {
  const { ctx } = await selectionContextFor(db, scope.teamId, scope.integrationId);
  return db.transaction(async (tx) => {
    await lockIntegration(tx, scope.integrationId);
    const rows = await tx
      .select()
      .from(tableSelections)
      .where(and(eq(tableSelections.integrationId, scope.integrationId), or(isNotNull(tableSelections.pending), isNotNull(tableSelections.pendingResetAt))));
    if (rows.length === 0) return { changed: 0, resets: [] };
    const tables = await tx
      .select()
      .from(catalogTables)
      .where(and(eq(catalogTables.integrationId, scope.integrationId), inArray(catalogTables.tableKey, rows.map((r) => r.tableKey))));
    const byKey = new Map(tables.map((t) => [t.tableKey, t]));
    const problems: string[] = [];
    for (const r of rows) {
      const t = byKey.get(r.tableKey);
      const p = finalizeProblem(t, r.pending, ctx.logBased);
      if (p) problems.push(`${t ? `${t.schema}.${t.name}` : r.tableKey}: ${p}`);
    }
    if (problems.length > 0) throw new AppError("VALIDATION", `Fix these tables before finalizing — ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ""}.`);
    const now = new Date();
    const resets: string[] = [];
    for (const r of rows) {
      const out = finalizeRow(r);
      if (out.resetRequested) resets.push(r.tableKey);
      await tx
        .update(tableSelections)
        .set({ finalized: out.finalized, pending: null, pendingResetAt: null, finalizedAt: now, updatedAt: now, ...(out.resetRequested ? { resetRequestedAt: now } : {}) })
        .where(eq(tableSelections.id, r.id));
    }
    return { changed: rows.length, resets };
  });
}

/** `Cancel`: drops every pending change; what was last finalized is exactly what remains. */
export async function cancelSelections(db: TDbOrTx, scope: TScope): Promise<number> {
  await selectionContextFor(db, scope.teamId, scope.integrationId);
  return db.transaction(async (tx) => {
    await lockIntegration(tx, scope.integrationId);
    const dropped = await tx
      .update(tableSelections)
      .set({ pending: null, pendingResetAt: null, updatedAt: new Date() })
      .where(and(eq(tableSelections.integrationId, scope.integrationId), or(isNotNull(tableSelections.pending), isNotNull(tableSelections.pendingResetAt))))
      .returning({ id: tableSelections.id });
    // Rows that only ever held pending state carry nothing now.
    await tx.delete(tableSelections).where(and(eq(tableSelections.integrationId, scope.integrationId), sql`${tableSelections.finalized} IS NULL AND ${tableSelections.pending} IS NULL AND ${tableSelections.resetRequestedAt} IS NULL`));
    return dropped.length;
  });
}
