/**
 * Finding 11 of issue 21 (second half): the catalog and selection queries took only an integration id,
 * trusting every caller to have checked the team first. They now take the team too and return nothing
 * for another team's integration, whoever calls them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogTables, tableSelections } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { catalogTree, getCatalogRow, listCatalogTables, pendingChangeCount } from "@/lib/selection/catalog-query";
import { refreshCatalog } from "@/lib/source/discovery-store";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createIntegration, createTeamWithUser } from "../support/fixtures";

describe("catalog queries are filtered by team", () => {
  let app: TTestAppDb;
  let own: { teamId: string; integrationId: string };
  let foreign: { teamId: string; integrationId: string };
  const tableKey = `"src"."public"."orders"`;

  beforeAll(async () => {
    app = await createAppDatabase();
    const a = await createTeamWithUser(app.db);
    const b = await createTeamWithUser(app.db);
    // Port 1: refreshCatalog must refuse before it ever tries to connect.
    const integration = await createIntegration(app.db, a.team.id, { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "src" });
    own = { teamId: a.team.id, integrationId: integration.id };
    foreign = { teamId: b.team.id, integrationId: integration.id };
    await app.db.insert(catalogTables).values({
      integrationId: integration.id,
      tableKey,
      database: "src",
      schema: "public",
      name: "orders",
      kind: "table",
      rowEstimate: 10,
      columns: [{ name: "id", type: "integer", baseType: "integer", nullable: false, primaryKey: true, supported: true, readable: true }],
    });
    const state = { tracked: true, columns: ["id"], method: "full_table" as const, replicationKey: [], viewKeyColumns: [] };
    await app.db.insert(tableSelections).values({ integrationId: integration.id, tableKey, pending: state });
  });
  afterAll(async () => app?.close());

  it("the owning team sees its catalog", async () => {
    expect((await catalogTree(app.db, own)).total).toBe(1);
    expect((await listCatalogTables(app.db, own, { offset: 0, limit: 10 })).total).toBe(1);
    expect(await getCatalogRow(app.db, own, tableKey)).toMatchObject({ tableKey, hasPendingChange: true });
    expect(await pendingChangeCount(app.db, own)).toBe(1);
  });

  it("another team naming the same integration id gets nothing", async () => {
    expect(await catalogTree(app.db, foreign)).toMatchObject({ total: 0, databases: [] });
    expect(await listCatalogTables(app.db, foreign, { offset: 0, limit: 10 })).toEqual({ rows: [], total: 0 });
    expect(await getCatalogRow(app.db, foreign, tableKey)).toBeNull();
    expect(await pendingChangeCount(app.db, foreign)).toBe(0);
  });

  it("refreshing another team's integration is refused as not found, before connecting", async () => {
    const err = await refreshCatalog(app.db, foreign).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("NOT_FOUND");
  });
});
