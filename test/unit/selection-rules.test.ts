import { describe, expect, it } from "vitest";
import type { TCatalogColumn, TTableSelectionState } from "@/db/schema";
import {
  addNewColumns,
  changeResetsTable,
  finalizeProblem,
  finalizeRow,
  methodOptions,
  replicationKeyCandidates,
  setColumnSelected,
  setTracked,
  trackAll,
  applySettings,
  validateSettings,
  type TSelectableTable,
  type TSelectionContext,
} from "@/lib/selection/rules";
import { logBasedAvailabilityFromReport } from "@/lib/selection/log-based";

const col = (name: string, type: string, extra: Partial<TCatalogColumn> = {}): TCatalogColumn => ({ name, type, nullable: true, primaryKey: false, supported: true, readable: true, ...extra });

const orders: TSelectableTable = {
  tableKey: '"demo"."public"."orders"',
  kind: "table",
  accessible: true,
  columns: [
    col("id", "bigint", { primaryKey: true, nullable: false }),
    col("status", "order_status"),
    col("total", "numeric(14,2)", { baseType: "numeric" }),
    col("updated_at", "timestamp with time zone"),
    col("tags", "text[]"),
    col("payload", "json"),
    col("secret", "text", { readable: false }),
    col("qty", "positive_int", { baseType: "integer" }),
  ],
};
const view: TSelectableTable = { tableKey: '"demo"."public"."v"', kind: "view", accessible: true, columns: [col("customer_id", "integer"), col("revenue", "numeric")] };
const matview: TSelectableTable = { ...view, tableKey: '"demo"."public"."mv"', kind: "materialized_view" };
const locked: TSelectableTable = { ...orders, tableKey: '"demo"."public"."locked"', accessible: false };
const logOk = { available: true, reason: null };
const logCtx: TSelectionContext = { defaultMethod: "log_based", logBased: logOk };

describe("tracking and columns", () => {
  it("tracks a table with all readable columns and the integration's default method", () => {
    const s = setTracked(null, orders, true, logCtx);
    expect(s).toEqual({ tracked: true, columns: ["id", "status", "total", "updated_at", "tags", "payload", "qty"], method: "log_based", replicationKey: [], viewKeyColumns: [] });
  });

  it("gives views Full Table when the default is log-based, and refuses a table the user cannot read", () => {
    expect(setTracked(null, view, true, logCtx).method).toBe("full_table");
    expect(() => setTracked(null, locked, true, logCtx)).toThrow(/no SELECT privilege/);
  });

  it("never deselects a primary-key column, never selects an unreadable one", () => {
    const s = setTracked(null, orders, true, logCtx);
    expect(() => setColumnSelected(s, orders, "id", false)).toThrow(/primary key/);
    expect(() => setColumnSelected(s, orders, "secret", true)).toThrow(/no SELECT privilege/);
    const without = setColumnSelected(s, orders, "payload", false);
    expect(without.columns).not.toContain("payload");
    expect(setColumnSelected(without, orders, "payload", true).columns).toEqual(s.columns);
  });

  it("keeps column choices when untracked and re-tracked", () => {
    const s = setColumnSelected(setTracked(null, orders, true, logCtx), orders, "tags", false);
    const again = setTracked(setTracked(s, orders, false, logCtx), orders, true, logCtx);
    expect(again.columns).not.toContain("tags");
  });

  it("adds newly discovered columns to a tracked selection", () => {
    const s = setTracked(null, orders, true, logCtx);
    expect(addNewColumns(s, ["new_col", "id"]).columns).toEqual([...s.columns, "new_col"]);
  });
});

describe("methods and keys", () => {
  it("does not offer log-based for views, materialized views, or when prerequisites failed", () => {
    expect(methodOptions(view, logOk).find((o) => o.method === "log_based")).toMatchObject({ allowed: false, reason: expect.stringMatching(/views/) });
    expect(methodOptions(matview, logOk).find((o) => o.method === "log_based")).toMatchObject({ allowed: false, reason: expect.stringMatching(/materialized views/) });
    const failed = { available: false, reason: "wal_level is replica" };
    expect(methodOptions(orders, failed).find((o) => o.method === "log_based")).toMatchObject({ allowed: false, reason: expect.stringMatching(/wal_level is replica/) });
    expect(methodOptions(orders, logOk).every((o) => o.allowed)).toBe(true);
  });

  it("offers only orderable, readable columns as Replication Key (domains by their base type)", () => {
    expect(replicationKeyCandidates(orders).map((c) => c.name)).toEqual(["id", "total", "updated_at", "qty"]);
  });

  it("validates key-based settings", () => {
    expect(validateSettings(orders, { method: "key_based", replicationKey: [], viewKeyColumns: [] }, logOk)).toHaveProperty("replicationKey");
    expect(validateSettings(orders, { method: "key_based", replicationKey: ["payload"], viewKeyColumns: [] }, logOk).replicationKey).toMatch(/cannot be a Replication Key/);
    expect(validateSettings(orders, { method: "key_based", replicationKey: ["updated_at"], viewKeyColumns: [] }, logOk)).toEqual({});
    expect(validateSettings(orders, { method: "full_table", replicationKey: ["updated_at"], viewKeyColumns: [] }, logOk)).toHaveProperty("replicationKey");
    expect(validateSettings(view, { method: "log_based", replicationKey: [], viewKeyColumns: [] }, logOk)).toHaveProperty("method");
    expect(validateSettings(orders, { method: "full_table", replicationKey: [], viewKeyColumns: ["id"] }, logOk)).toHaveProperty("viewKeyColumns");
    expect(validateSettings(view, { method: "full_table", replicationKey: [], viewKeyColumns: ["customer_id"] }, logOk)).toEqual({});
  });

  it("selects the key column when it had been deselected, and refuses to deselect the key", () => {
    const s = setColumnSelected(setTracked(null, orders, true, logCtx), orders, "updated_at", false);
    const keyed = applySettings(s, orders, { method: "key_based", replicationKey: ["updated_at"], viewKeyColumns: [] }, logOk);
    expect(keyed.columns).toContain("updated_at");
    expect(() => setColumnSelected(keyed, orders, "updated_at", false)).toThrow(/Replication Key/);
  });

  it("finalizing key-based without a key is a problem; untracked rows never are", () => {
    const s: TTableSelectionState = { tracked: true, columns: ["id"], method: "key_based", replicationKey: [], viewKeyColumns: [] };
    expect(finalizeProblem(orders, s, logOk)).toMatch(/needs a Replication Key/);
    expect(finalizeProblem(orders, { ...s, tracked: false }, logOk)).toBeNull();
    expect(finalizeProblem(orders, { ...s, method: "log_based" }, { available: false, reason: "x" })).toMatch(/unavailable/);
  });
});

describe("finalize, cancel, resets", () => {
  const fin: TTableSelectionState = { tracked: true, columns: ["id", "total"], method: "key_based", replicationKey: ["updated_at"], viewKeyColumns: [] };

  it("resets a table when its method or key changes, not when columns change", () => {
    expect(changeResetsTable(fin, { ...fin, method: "full_table", replicationKey: [] })).toBe(true);
    expect(changeResetsTable(fin, { ...fin, replicationKey: ["id"] })).toBe(true);
    expect(changeResetsTable(fin, { ...fin, columns: ["id"] })).toBe(false);
    expect(changeResetsTable(null, fin)).toBe(false);
  });

  it("finalize turns pending into finalized and carries a pending Reset Keys", () => {
    expect(finalizeRow({ finalized: fin, pending: { ...fin, columns: ["id"] }, pendingResetAt: null })).toEqual({ finalized: { ...fin, columns: ["id"] }, resetRequested: false });
    expect(finalizeRow({ finalized: fin, pending: null, pendingResetAt: new Date() })).toEqual({ finalized: fin, resetRequested: true });
    expect(finalizeRow({ finalized: fin, pending: { ...fin, method: "full_table", replicationKey: [] }, pendingResetAt: null }).resetRequested).toBe(true);
  });
});

describe("Track All Tables and Fields (Except Views)", () => {
  it("tracks every readable table with every column, skips views, keeps an existing method, overwrites column choices", () => {
    const existing = new Map<string, TTableSelectionState>([[orders.tableKey, { tracked: true, columns: ["id"], method: "key_based", replicationKey: ["updated_at"], viewKeyColumns: [] }]]);
    const other: TSelectableTable = { ...orders, tableKey: '"demo"."public"."other"' };
    const out = trackAll([orders, other, view, matview, locked], existing, logCtx);
    expect([...out.keys()]).toEqual([orders.tableKey, other.tableKey]);
    expect(out.get(orders.tableKey)).toMatchObject({ method: "key_based", replicationKey: ["updated_at"], columns: ["id", "status", "total", "updated_at", "tags", "payload", "qty"] });
    expect(out.get(other.tableKey)).toMatchObject({ method: "log_based", tracked: true });
  });

  it("is refused unless log-based is the integration's default", () => {
    expect(() => trackAll([orders], new Map(), { ...logCtx, defaultMethod: "full_table" })).toThrow(/only while Log-based/);
  });
});

describe("log-based availability from the prerequisite report", () => {
  it("treats a missing report as not blocking", () => {
    expect(logBasedAvailabilityFromReport(null)).toEqual({ available: true, reason: null });
  });
  it("reads an explicit verdict or failed log-based items", () => {
    expect(logBasedAvailabilityFromReport({ logBased: { ok: false, reason: "wal_level is replica" } })).toEqual({ available: false, reason: "wal_level is replica" });
    expect(
      logBasedAvailabilityFromReport({ items: [{ status: "fail", title: "wal_level = logical", blocks: "log_based" }, { status: "pass", title: "Version", blocks: "log_based" }] }),
    ).toEqual({ available: false, reason: "failed prerequisite: wal_level = logical" });
    expect(logBasedAvailabilityFromReport({ items: [{ status: "warn", title: "x", blocks: "log_based" }] })).toEqual({ available: true, reason: null });
    // The prerequisite report's own shape (lib/source/prerequisites): logBasedReady + items flagged logBasedOnly.
    const report = { logBasedReady: false, items: [{ id: "wal", title: "wal_level is logical", status: "fail", logBasedOnly: true }, { id: "conn", title: "CONNECT", status: "fail", logBasedOnly: false }] };
    expect(logBasedAvailabilityFromReport(report)).toEqual({ available: false, reason: "failed prerequisite: wal_level is logical" });
    expect(logBasedAvailabilityFromReport({ ...report, logBasedReady: true })).toEqual({ available: true, reason: null });
  });
});
