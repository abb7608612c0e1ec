"use server";
import { z } from "zod";
import { authedAction, type TActionContext } from "@/app/_server/action";
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
    const { rows, total } = await listCatalogTables(ctx.db, input.integrationId, { ...input, offset: input.page * PAGE_SIZE, limit: PAGE_SIZE });
    return { rows, total, pageSize: PAGE_SIZE, pending: await pendingChangeCount(ctx.db, input.integrationId) };
  },
);

export const catalogTreeAction = authedAction({ schema: z.object({ integrationId: ZId }), role: "viewer" }, async (input, ctx) => {
  await selectionContextFor(ctx.db, ctx.team.id, input.integrationId);
  return catalogTree(ctx.db, input.integrationId);
});

export const refreshCatalogAction = authedAction({ schema: z.object({ integrationId: ZId }), role: "member" }, async (input, ctx) => {
  await selectionContextFor(ctx.db, ctx.team.id, input.integrationId);
  const result = await refreshCatalog(ctx.db, input.integrationId);
  await recordAudit(ctx.db, ctx.actor, {
    action: "catalog.refresh",
    objectType: "integration",
    objectId: input.integrationId,
    details: { tables: result.tables, databases: result.databases.length, newColumns: Object.keys(result.newColumns).length },
  });
  return result;
});

async function audit(ctx: TActionContext, integrationId: string, action: string, details: Record<string, unknown>) {
  await recordAudit(ctx.db, ctx.actor, { action, objectType: "integration", objectId: integrationId, details });
}

export const setTrackedAction = authedAction(
  { schema: z.object({ integrationId: ZId, tableKey: ZTableKey, tracked: z.boolean() }), role: "member" },
  async (input, ctx) => {
    await setTableTracked(ctx.db, { teamId: ctx.team.id, integrationId: input.integrationId }, input.tableKey, input.tracked);
    await audit(ctx, input.integrationId, input.tracked ? "selection.track" : "selection.untrack", { table: input.tableKey, pending: true });
    return getCatalogRow(ctx.db, input.integrationId, input.tableKey);
  },
);

export const setColumnAction = authedAction(
  { schema: z.object({ integrationId: ZId, tableKey: ZTableKey, column: z.string().min(1).max(200), selected: z.boolean() }), role: "member" },
  async (input, ctx) => {
    await setColumn(ctx.db, { teamId: ctx.team.id, integrationId: input.integrationId }, input.tableKey, input.column, input.selected);
    await audit(ctx, input.integrationId, input.selected ? "selection.column_select" : "selection.column_deselect", { table: input.tableKey, column: input.column, pending: true });
    return getCatalogRow(ctx.db, input.integrationId, input.tableKey);
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
    await updateTableSettings(ctx.db, { teamId: ctx.team.id, integrationId: input.integrationId }, input.tableKey, {
      method: input.method,
      replicationKey: input.replicationKey,
      viewKeyColumns: input.viewKeyColumns,
    });
    await audit(ctx, input.integrationId, "selection.settings", { table: input.tableKey, method: input.method, replicationKey: input.replicationKey, viewKeyColumns: input.viewKeyColumns, pending: true });
    return getCatalogRow(ctx.db, input.integrationId, input.tableKey);
  },
);

export const resetKeysAction = authedAction({ schema: z.object({ integrationId: ZId, tableKey: ZTableKey }), role: "member" }, async (input, ctx) => {
  await requestResetKeys(ctx.db, { teamId: ctx.team.id, integrationId: input.integrationId }, input.tableKey);
  await audit(ctx, input.integrationId, "selection.reset_keys", { table: input.tableKey, pending: true });
  return getCatalogRow(ctx.db, input.integrationId, input.tableKey);
});

export const trackAllAction = authedAction({ schema: ZFilter.extend({ integrationId: ZId }), role: "member" }, async (input, ctx) => {
  const n = await trackAllTables(ctx.db, { teamId: ctx.team.id, integrationId: input.integrationId }, input);
  await audit(ctx, input.integrationId, "selection.track_all", { tables: n, database: input.database ?? null, schema: input.schema ?? null, search: input.search ?? null, pending: true });
  return { tracked: n };
});

export const finalizeAction = authedAction({ schema: z.object({ integrationId: ZId }), role: "member" }, async (input, ctx) => {
  const result = await finalizeSelections(ctx.db, { teamId: ctx.team.id, integrationId: input.integrationId });
  await audit(ctx, input.integrationId, "selection.finalize", { tables: result.changed, resets: result.resets });
  return result;
});

export const cancelAction = authedAction({ schema: z.object({ integrationId: ZId }), role: "member" }, async (input, ctx) => {
  const dropped = await cancelSelections(ctx.db, { teamId: ctx.team.id, integrationId: input.integrationId });
  await audit(ctx, input.integrationId, "selection.cancel", { tables: dropped });
  return { dropped };
});
