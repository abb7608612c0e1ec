import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { catalogTables, tableSelections, type TCatalogColumn } from "@/db/schema";
import { getFinalizedSelections, acknowledgeTableReset } from "@/lib/selection/finalized";
import { listCatalogTables, catalogTree, pendingChangeCount } from "@/lib/selection/catalog-query";
import { cancelSelections, finalizeSelections, requestResetKeys, setColumn, setTableTracked, trackAllTables, updateTableSettings } from "@/lib/selection/store";
import { tableKeyOf } from "@/lib/source/discovery";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createIntegration, createTeamWithUser } from "../support/fixtures";

const col = (name: string, type: string, primaryKey = false): TCatalogColumn => ({ name, type, baseType: type, nullable: !primaryKey, primaryKey, supported: true, readable: true });
const COLS = [col("id", "integer", true), col("updated_at", "timestamp with time zone"), col("body", "text"), col("doc", "jsonb")];

describe("selections: pending vs finalized, as stored", () => {
  let app: TTestAppDb;
  let scope: { teamId: string; integrationId: string };
  const key = (name: string, schema = "public") => tableKeyOf("src", schema, name);

  beforeAll(async () => {
    app = await createAppDatabase();
    const { team } = await createTeamWithUser(app.db);
    const integration = await createIntegration(app.db, team.id, { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "src" });
    scope = { teamId: team.id, integrationId: integration.id };
    const rows = [
      ...["a", "b", "c"].map((n) => ({ name: n, schema: "public", kind: "table" as const })),
      { name: "v", schema: "public", kind: "view" as const },
      { name: "Weird \"one\"", schema: "Other.Schema", kind: "partitioned_table" as const },
    ];
    await app.db.insert(catalogTables).values(
      rows.map((r) => ({ integrationId: integration.id, tableKey: key(r.name, r.schema), database: "src", schema: r.schema, name: r.name, kind: r.kind, rowEstimate: 5, columns: COLS })),
    );
  });
  afterAll(async () => app?.close());

  const row = async (name: string, schema = "public") => (await app.db.select().from(tableSelections).where(and(eq(tableSelections.integrationId, scope.integrationId), eq(tableSelections.tableKey, key(name, schema)))))[0];

  it("keeps every change pending (jobs see none) until finalized, then jobs see exactly it", async () => {
    await setTableTracked(app.db, scope, key("a"), true);
    await setColumn(app.db, scope, key("a"), "doc", false);
    await setTableTracked(app.db, scope, key("b"), true);
    await updateTableSettings(app.db, scope, key("b"), { method: "key_based", replicationKey: ["updated_at"], viewKeyColumns: [] });
    expect(await getFinalizedSelections(app.db, scope.integrationId)).toEqual([]);
    expect(await pendingChangeCount(app.db, scope)).toBe(2);

    const out = await finalizeSelections(app.db, scope);
    expect(out).toEqual({ changed: 2, resets: [] });
    const job = await getFinalizedSelections(app.db, scope.integrationId);
    expect(job.map((t) => [t.name, t.method, t.replicationKey, t.columns.map((c) => c.name)])).toEqual([
      ["a", "log_based", [], ["id", "updated_at", "body"]],
      ["b", "key_based", ["updated_at"], ["id", "updated_at", "body", "doc"]],
    ]);
    expect(await pendingChangeCount(app.db, scope)).toBe(0);
  });

  it("Cancel restores the last finalized state exactly", async () => {
    const before = await app.db.select().from(tableSelections).where(eq(tableSelections.integrationId, scope.integrationId)).orderBy(tableSelections.tableKey);
    await setTableTracked(app.db, scope, key("a"), false);
    await setTableTracked(app.db, scope, key("c"), true);
    await setColumn(app.db, scope, key("b"), "body", false);
    await updateTableSettings(app.db, scope, key("b"), { method: "full_table", replicationKey: [], viewKeyColumns: [] });
    await requestResetKeys(app.db, scope, key("a"));
    expect(await pendingChangeCount(app.db, scope)).toBe(3);
    await cancelSelections(app.db, scope);
    const after = await app.db.select().from(tableSelections).where(eq(tableSelections.integrationId, scope.integrationId)).orderBy(tableSelections.tableKey);
    expect(after.map((r) => [r.tableKey, r.finalized, r.pending, r.pendingResetAt, r.resetRequestedAt])).toEqual(
      before.map((r) => [r.tableKey, r.finalized, r.pending, r.pendingResetAt, r.resetRequestedAt]),
    );
    expect(await row("c")).toBeUndefined();
  });

  it("a method or key change, and Reset Keys, reset the table once finalized; the job acknowledges it", async () => {
    await updateTableSettings(app.db, scope, key("b"), { method: "key_based", replicationKey: ["id"], viewKeyColumns: [] });
    await requestResetKeys(app.db, scope, key("a"));
    await setColumn(app.db, scope, key("a"), "doc", true); // columns alone do not reset
    const out = await finalizeSelections(app.db, scope);
    expect(out.resets.sort()).toEqual([key("a"), key("b")].sort());
    const job = await getFinalizedSelections(app.db, scope.integrationId);
    const b = job.find((t) => t.name === "b")!;
    expect(b.resetRequestedAt).toBeInstanceOf(Date);
    await acknowledgeTableReset(app.db, scope.integrationId, b.tableKey, b.resetRequestedAt!);
    expect((await row("b"))!.resetRequestedAt).toBeNull();
    expect((await row("a"))!.resetRequestedAt).not.toBeNull();
  });

  it("refuses to finalize a key-based table without a key, changing nothing", async () => {
    await setTableTracked(app.db, scope, key("c"), true);
    await app.db
      .update(tableSelections)
      .set({ pending: { tracked: true, columns: ["id"], method: "key_based", replicationKey: [], viewKeyColumns: [] } })
      .where(eq(tableSelections.tableKey, key("c")));
    await expect(finalizeSelections(app.db, scope)).rejects.toThrow(/public\.c: Key-based Incremental needs a Replication Key/);
    expect((await row("c"))!.finalized).toBeNull();
    await cancelSelections(app.db, scope);
  });

  it("refuses log-based for a view and deselecting a primary-key column", async () => {
    await setTableTracked(app.db, scope, key("v"), true);
    await expect(updateTableSettings(app.db, scope, key("v"), { method: "log_based", replicationKey: [], viewKeyColumns: [] })).rejects.toThrow(/not available for views/);
    await expect(setColumn(app.db, scope, key("a"), "id", false)).rejects.toThrow(/primary key/);
    await cancelSelections(app.db, scope);
  });

  it("Track All tracks every table (not views) of the filter, keeps methods, and stays pending", async () => {
    const n = await trackAllTables(app.db, scope, {});
    expect(n).toBe(4); // a, b, c, and the partitioned one; not the view
    const list = await listCatalogTables(app.db, scope, { offset: 0, limit: 50 });
    const state = (name: string) => list.rows.find((r) => r.name === name)!.state;
    expect(state("b")).toMatchObject({ tracked: true, method: "key_based", replicationKey: ["id"], columns: ["id", "updated_at", "body", "doc"] });
    expect(state("c")).toMatchObject({ tracked: true, method: "log_based" });
    expect(state('Weird "one"')).toMatchObject({ tracked: true });
    expect(state("v")).toBeNull();
    expect((await getFinalizedSelections(app.db, scope.integrationId)).map((t) => t.name)).toEqual(["a", "b"]);
    await cancelSelections(app.db, scope);
  });

  it("lists with server-side search and paging, and counts per database and schema", async () => {
    const found = await listCatalogTables(app.db, scope, { search: 'other.schema.weird "', offset: 0, limit: 50 });
    expect(found.rows.map((r) => r.name)).toEqual(['Weird "one"']);
    const percent = await listCatalogTables(app.db, scope, { search: "%", offset: 0, limit: 50 });
    expect(percent.total).toBe(0);
    const page2 = await listCatalogTables(app.db, scope, { schema: "public", offset: 2, limit: 2 });
    expect(page2.total).toBe(4);
    expect(page2.rows.map((r) => r.name)).toEqual(["c", "v"]);
    const tree = await catalogTree(app.db, scope);
    expect(tree.databases).toEqual([{ name: "src", tables: 5, tracked: 2, schemas: [{ name: "Other.Schema", tables: 1, tracked: 0 }, { name: "public", tables: 4, tracked: 2 }] }]);
  });
});
