"use server";
import { z } from "zod";
import type { TDbOrTx } from "@/db/client";
import { authedAction, type TActionContext } from "@/lib/server/authed-action";
import { recordAudit } from "@/lib/audit/record";
import { catalogTree, getCatalogRow, listCatalogTables, pendingChangeCount } from "@/lib/selection/catalog-query";
import { cancelSelections, finalizeSelections, requestResetKeys, selectionContextFor, setColumn, setTableTracked, trackAllTables, updateTableSettings } from "@/lib/selection/store";
import { refreshCatalog } from "@/lib/source/discovery-store";

const PAGE_SIZE = 50;

const ZId = z.string().uuid("Unknown integration");
const ZTableKey = z.string().min(1).max(1000);
const ZFilter = z.object({
  database: z.string().max(200).nullish(),
  schema: z.string().max(200).nullish(),
  search: z.string().max(200).nullish(),
});
const ZMethod = z.enum(["log_based", "key_based", "full_table"], { message: "Choose a Replication Method" });

export const listTablesAction = authedAction(
  { schema: ZFilter.extend({ integrationId: ZId, page: z.number().int().min(0).max(100_000) }), role: "viewer" },
  async (input, ctx) => {
    await selectionContextFor(ctx.db, ctx.team.id, input.integrationId);
    const { rows, total } = await listCatalogTables(ctx.db, scopeOf(ctx, input), { ...input, offset: input.page * PAGE_SIZE, limit: PAGE_SIZE });
    return { rows, total, pageSize: PAGE_SIZE, pending: await pendingChangeCount(ctx.db, scopeOf(ctx, input)) };
  },
);

export const catalogTreeAction = authedAction({ schema: z.object({ integrationId: ZId }), role: "viewer" }, async (input, ctx) => {
  await selectionContextFor(ctx.db, ctx.team.id, input.integrationId);
  return catalogTree(ctx.db, scopeOf(ctx, input));
});

export const refreshCatalogAction = authedAction({ schema: z.object({ integrationId: ZId }), role: "member" }, async (input, ctx) => {
  await selectionContextFor(ctx.db, ctx.team.id, input.integrationId);
  return refreshCatalog(ctx.db, scopeOf(ctx, input), ctx.actor);
});

/** The integration as the signed-in team names it: every query filters by both. */
function scopeOf(ctx: TActionContext, input: { integrationId: string }) {
  return { teamId: ctx.team.id, integrationId: input.integrationId };
}

/** Runs a selection change and its audit event in one transaction: no change without its record. */
async function audited<T>(
  ctx: TActionContext,
  integrationId: string,
  change: (tx: TDbOrTx) => Promise<T>,
  event: (result: T) => { action: string; details: Record<string, unknown> },
): Promise<T> {
  return ctx.db.transaction(async (tx) => {
    const result = await change(tx);
    const { action, details } = event(result);
    await recordAudit(tx, ctx.actor, { action, objectType: "integration", objectId: integrationId, details });
    return result;
  });
}

export const setTrackedAction = authedAction(
  { schema: z.object({ integrationId: ZId, tableKey: ZTableKey, tracked: z.boolean() }), role: "member" },
  async (input, ctx) => {
    await audited(ctx, input.integrationId, (tx) => setTableTracked(tx, scopeOf(ctx, input), input.tableKey, input.tracked), () => ({
      action: input.tracked ? "selection.track" : "selection.untrack",
      details: { table: input.tableKey, pending: true },
    }));
    return getCatalogRow(ctx.db, scopeOf(ctx, input), input.tableKey);
  },
);

export const setColumnAction = authedAction(
  { schema: z.object({ integrationId: ZId, tableKey: ZTableKey, column: z.string().min(1).max(200), selected: z.boolean() }), role: "member" },
  async (input, ctx) => {
    await audited(ctx, input.integrationId, (tx) => setColumn(tx, scopeOf(ctx, input), input.tableKey, input.column, input.selected), () => ({
      action: input.selected ? "selection.column_select" : "selection.column_deselect",
      details: { table: input.tableKey, column: input.column, pending: true },
    }));
    return getCatalogRow(ctx.db, scopeOf(ctx, input), input.tableKey);
  },
);

export const updateSettingsAction = authedAction(
  {
    schema: z.object({
      integrationId: ZId,
      tableKey: ZTableKey,
      method: ZMethod,
      replicationKey: z.array(z.string().min(1).max(200)).max(8),
      viewKeyColumns: z.array(z.string().min(1).max(200)).max(64),
    }),
    role: "member",
  },
  async (input, ctx) => {
    const settings = { method: input.method, replicationKey: input.replicationKey, viewKeyColumns: input.viewKeyColumns };
    await audited(ctx, input.integrationId, (tx) => updateTableSettings(tx, scopeOf(ctx, input), input.tableKey, settings), () => ({
      action: "selection.settings",
      details: { table: input.tableKey, ...settings, pending: true },
    }));
    return getCatalogRow(ctx.db, scopeOf(ctx, input), input.tableKey);
  },
);

export const resetKeysAction = authedAction({ schema: z.object({ integrationId: ZId, tableKey: ZTableKey }), role: "member" }, async (input, ctx) => {
  await audited(ctx, input.integrationId, (tx) => requestResetKeys(tx, scopeOf(ctx, input), input.tableKey), () => ({
    action: "selection.reset_keys",
    details: { table: input.tableKey, pending: true },
  }));
  return getCatalogRow(ctx.db, scopeOf(ctx, input), input.tableKey);
});

export const trackAllAction = authedAction({ schema: ZFilter.extend({ integrationId: ZId }), role: "member" }, async (input, ctx) => {
  const n = await audited(ctx, input.integrationId, (tx) => trackAllTables(tx, scopeOf(ctx, input), input), (tables) => ({
    action: "selection.track_all",
    details: { tables, database: input.database ?? null, schema: input.schema ?? null, search: input.search ?? null, pending: true },
  }));
  return { tracked: n };
});

export const finalizeAction = authedAction({ schema: z.object({ integrationId: ZId }), role: "member" }, async (input, ctx) => {
  return audited(ctx, input.integrationId, (tx) => finalizeSelections(tx, scopeOf(ctx, input)), (result) => ({
    action: "selection.finalize",
    details: { tables: result.changed, resets: result.resets },
  }));
});

export const cancelAction = authedAction({ schema: z.object({ integrationId: ZId }), role: "member" }, async (input, ctx) => {
  const dropped = await audited(ctx, input.integrationId, (tx) => cancelSelections(tx, scopeOf(ctx, input)), (tables) => ({ action: "selection.cancel", details: { tables } }));
  return { dropped };
});
