import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TChange, TDestinationLoader, TLoadTableSpec } from "@/lib/connectors/postgres/destination";
import { createEmptyDatabase, openTestLoader } from "../support/databases";
import { sqlOn } from "../support/engine-harness";

/** The loader's change-stream API, as the log-based engine uses it, against a real destination. */
describe("loader.applyChanges: upserts, deletes and absent columns", () => {
  let dest: { url: string; drop(): Promise<void> };
  let loader: TDestinationLoader;
  const spec: TLoadTableSpec = {
    tableKey: '"src"."public"."items"',
    table: 'It"ems',
    columns: [
      { name: "id", type: "integer" },
      { name: "name", type: "text" },
      { name: "big", type: "text" },
      { name: "qty", type: "integer" },
    ],
    primaryKey: ["id"],
  };
  const at = "2025-06-01 00:00:00+00";
  const up = (values: Record<string, string | null>): TChange => ({ kind: "upsert", values, extractedAt: at });
  const del = (id: string): TChange => ({ kind: "delete", key: { id }, deletedAt: "2025-06-02 00:00:00+00", extractedAt: at });
  const rows = () => sqlOn(dest.url, `SELECT id, name, big, qty, _sdc_deleted_at AS deleted FROM "Log Schema"."It""ems" ORDER BY id`);

  beforeAll(async () => {
    dest = await createEmptyDatabase("embedded", "chg");
    loader = await openTestLoader(dest.url, "Log Schema", "00000000-0000-0000-0000-000000000001");
    await loader.ensureTable(spec);
  });
  afterAll(async () => {
    await loader?.close();
    await dest?.drop();
  });

  it("applies changes in order; columns absent from a change keep their destination value; deletes keep the row with _sdc_deleted_at", async () => {
    const res = await loader.applyChanges(
      spec,
      [
        up({ id: "1", name: "one", big: "x".repeat(10_000), qty: "1" }),
        up({ id: "2", name: "two", big: "tab\there\nnewline \\ backslash", qty: "2" }),
        up({ id: "3", name: "three", big: null, qty: "3" }),
        up({ id: "1", qty: "10" }), // unchanged TOAST: name and big absent
        up({ id: "1", qty: "11" }), // several changes to one key in one group: the last wins
        del("2"),
        del("3"),
        up({ id: "3", name: "three again", big: null, qty: "33" }), // re-inserted after its delete
      ],
      { state: { method: "log_based", lsn: "0/16B3748" }, tableVersion: 1 },
    );
    // Rows written: 3 inserts; id 1 once (its two changes merge, the last wins) and id 3 once; 2 deletes.
    expect(res).toEqual({ rowsInserted: 3, rowsUpdated: 2, rowsDeleted: 2, rowsReceived: 8 });
    expect(await rows()).toEqual([
      { id: "1", name: "one", big: "x".repeat(10_000), qty: "11", deleted: null },
      { id: "2", name: "two", big: "tab\there\nnewline \\ backslash", qty: "2", deleted: "2025-06-02 00:00:00+00" },
      { id: "3", name: "three again", big: null, qty: "33", deleted: null },
    ]);
    expect(await loader.readState(spec.tableKey)).toEqual({ method: "log_based", lsn: "0/16B3748" });
  });

  it("commits rows and state together: a failing change rolls back the whole call and keeps the old state", async () => {
    await expect(
      loader.applyChanges(spec, [up({ id: "4", name: "four", big: null, qty: "4" }), up({ id: "5", qty: "not a number" })], { state: { method: "log_based", lsn: "0/FFFFFFF" }, tableVersion: 1 }),
    ).rejects.toThrow(/invalid input syntax for type integer/);
    expect((await rows()).map((r) => r.id)).toEqual(["1", "2", "3"]);
    expect(await loader.readState(spec.tableKey)).toEqual({ method: "log_based", lsn: "0/16B3748" });
  });

  it("appends to a table without a primary key, deletes included as rows", async () => {
    const keyless: TLoadTableSpec = { ...spec, tableKey: '"src"."public"."log"', table: "log", primaryKey: [] };
    await loader.ensureTable(keyless);
    const res = await loader.applyChanges(keyless, [up({ id: "1", name: "a" }), up({ id: "1", name: "a" }), del("1")], { state: { method: "log_based" }, tableVersion: 1 });
    expect(res.rowsReceived).toBe(3);
    const all = await sqlOn(dest.url, `SELECT id, name, _sdc_deleted_at IS NOT NULL AS deleted FROM "Log Schema".log ORDER BY _sdc_sequence`);
    expect(all).toEqual([
      { id: "1", name: "a", deleted: "f" },
      { id: "1", name: "a", deleted: "f" },
      { id: "1", name: null, deleted: "t" },
    ]);
  });
});
