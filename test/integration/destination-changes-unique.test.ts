import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupChanges } from "@/lib/connectors/postgres/destination/change-staging";
import type { TChange, TDestinationLoader, TLoadTableSpec } from "@/lib/connectors/postgres/destination";
import { createEmptyDatabase, openTestLoader } from "../support/databases";
import { sqlOn } from "../support/engine-harness";

/**
 * loader.applyChanges with { uniqueKeys: true } (the log-based engine's call: one net change per key):
 * the session's staging tables are reused across calls and transactions, a rolled-back call leaves the
 * next one working, and keys that differ as text but not at the destination still converge. The merges
 * are counted with the statistics' per-transaction counters, or by the merge itself on a server that
 * does not keep them (track_counts off).
 */
// PostgreSQL 17 (embedded) and 15 (Debian): MERGE where the statistics count it (RETURNING
// merge_action() needs 17), INSERT … ON CONFLICT on 15 without them.
describe.each([
  { server: "embedded" as const, trackCounts: true },
  { server: "embedded" as const, trackCounts: false },
  { server: "pg15" as const, trackCounts: true },
  { server: "pg15" as const, trackCounts: false },
])("loader.applyChanges with uniqueKeys ($server, track_counts $trackCounts)", ({ server, trackCounts }) => {
  let dest: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let loader: TDestinationLoader;
  const statements: string[] = [];
  const spec: TLoadTableSpec = {
    tableKey: '"src"."public"."u"',
    table: "u",
    columns: [
      { name: "id", type: "numeric" },
      { name: "name", type: "text" },
      { name: "qty", type: "integer" },
    ],
    primaryKey: ["id"],
  };
  const at = "2025-06-01 00:00:00+00";
  const up = (values: Record<string, string | null>, sequence = 1n): TChange => ({ kind: "upsert", values, extractedAt: at, sequence });
  const del = (id: string, sequence = 1n): TChange => ({ kind: "delete", key: { id }, deletedAt: "2025-06-02 00:00:00+00", extractedAt: at, sequence });
  const rows = () => sqlOn(dest.url, `SELECT id::text, name, qty, _sdc_deleted_at AS deleted, _sdc_sequence AS seq, _sdc_table_version AS v FROM "uq".u ORDER BY id`);

  beforeAll(async () => {
    dest = await createEmptyDatabase(server, "chgu");
    if (!trackCounts) await sqlOn(dest.url, `ALTER DATABASE "${dest.name}" SET track_counts = off`);
    loader = await openTestLoader(dest.url, "uq", "00000000-0000-0000-0000-000000000002", (sql) => statements.push(sql));
    await loader.ensureTable(spec);
  });
  afterAll(async () => {
    await loader?.close();
    await dest?.drop();
  });

  it("applies upserts, partial updates and deletes across several calls; absent columns stay untouched", async () => {
    const first = await loader.applyChanges(
      spec,
      [up({ id: "1", name: "one", qty: "1" }), up({ id: "2", name: "two\tTab", qty: "2" }), up({ id: "3", name: null, qty: "3" })],
      { state: { lsn: "0/1" }, tableVersion: 7, uniqueKeys: true },
    );
    expect(first).toEqual({ rowsInserted: 3, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 3 });
    // Same column sets twice in one call (not contiguous): the staging table is emptied before its reuse.
    const second = await loader.applyChanges(
      spec,
      [up({ id: "1", qty: "10" }, 2n), del("2", 2n), up({ id: "4", name: "four", qty: "4" }, 2n), up({ id: "3", qty: "30" }, 2n)],
      { state: { lsn: "0/2" }, tableVersion: 7, uniqueKeys: true },
    );
    expect(second).toEqual({ rowsInserted: 1, rowsUpdated: 2, rowsDeleted: 1, rowsReceived: 4 });
    expect(await rows()).toEqual([
      { id: "1", name: "one", qty: "10", deleted: null, seq: "2", v: "7" },
      { id: "2", name: "two\tTab", qty: "2", deleted: "2025-06-02 00:00:00+00", seq: "2", v: "7" },
      { id: "3", name: null, qty: "30", deleted: null, seq: "2", v: "7" },
      { id: "4", name: "four", qty: "4", deleted: null, seq: "2", v: "7" },
    ]);
    expect(await loader.readState(spec.tableKey)).toEqual({ lsn: "0/2" });
  });

  it("a failed call rolls back rows and state; the next call (new staging tables) works", async () => {
    // A fresh column set: its staging table is created in the transaction that fails.
    await expect(
      loader.applyChanges(spec, [up({ id: "5", name: "five" }, 3n), up({ id: "6", name: "six", qty: "x" }, 3n)], { state: { lsn: "0/3" }, tableVersion: 7, uniqueKeys: true }),
    ).rejects.toThrow(/invalid input syntax for type integer/);
    expect(await loader.readState(spec.tableKey)).toEqual({ lsn: "0/2" });
    const res = await loader.applyChanges(spec, [up({ id: "5", name: "five" }, 4n), up({ id: "6", name: "six", qty: "6" }, 4n)], { state: { lsn: "0/4" }, tableVersion: 7, uniqueKeys: true });
    expect(res).toEqual({ rowsInserted: 2, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 2 });
    expect((await rows()).map((r) => [r.id, r.name, r.qty])).toEqual([
      ["1", "one", "10"],
      ["2", "two\tTab", "2"],
      ["3", null, "30"],
      ["4", "four", "4"],
      ["5", "five", null],
      ["6", "six", "6"],
    ]);
    // Staging tables are temporary (per session): the destination schema holds only the table.
    expect(Number((await sqlOn(dest.url, `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'uq'`))[0]!.n)).toBe(1);
  });

  it("keys equal at the destination but different as text converge on the last change", async () => {
    const res = await loader.applyChanges(spec, [up({ id: "7.0", name: "first", qty: "1" }, 5n), up({ id: "7.00", name: "second", qty: "2" }, 5n)], { state: { lsn: "0/5" }, tableVersion: 7, uniqueKeys: true });
    expect(res.rowsReceived).toBe(2);
    expect((await rows()).filter((r) => Number(r.id) === 7).map((r) => [r.name, r.qty])).toEqual([["second", "2"]]);
    expect(await loader.readState(spec.tableKey)).toEqual({ lsn: "0/5" });
  });

  it("counts the merges of a table whose name holds a quote and a backslash", async () => {
    const odd: TLoadTableSpec = { ...spec, tableKey: `"src"."public"."it's\\odd"`, table: `it's\\odd` };
    await loader.ensureTable(odd);
    const first = await loader.applyChanges(odd, [up({ id: "1", name: "a", qty: "1" }), up({ id: "2", name: "b", qty: "2" })], { state: { lsn: "0/1" }, tableVersion: 1, uniqueKeys: true });
    const second = await loader.applyChanges(odd, [up({ id: "2", qty: "20" }, 2n), up({ id: "3", name: "c", qty: "3" }, 2n)], { state: { lsn: "0/2" }, tableVersion: 1, uniqueKeys: true });
    expect([first, second]).toEqual([
      { rowsInserted: 2, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 2 },
      { rowsInserted: 1, rowsUpdated: 1, rowsDeleted: 0, rowsReceived: 2 },
    ]);
    expect(await sqlOn(dest.url, `SELECT id::text, name, qty FROM uq."it's\\odd" ORDER BY id`)).toEqual([
      { id: "1", name: "a", qty: "1" },
      { id: "2", name: "b", qty: "20" },
      { id: "3", name: "c", qty: "3" },
    ]);
  });

  it("saves a state holding quotes and backslashes exactly (it travels as a literal with the merges)", async () => {
    const state = { lsn: "0/6", note: `it's a \\server\\share path; "quoted" ''` };
    await loader.applyChanges(spec, [up({ id: "8", name: "eight", qty: "8" }, 6n)], { state, tableVersion: 7, uniqueKeys: true });
    expect(await loader.readState(spec.tableKey)).toEqual(state);
    const [setting] = await sqlOn(dest.url, `SELECT current_setting('track_counts') AS v`);
    expect(setting!.v).toBe(trackCounts ? "on" : "off");
  });

  it("inserts keys new at the source with a plain INSERT; a key already there (deleted, then inserted again) is merged, and so are the table's later inserts", async () => {
    const insertOnly = (changes: TChange[]) => groupChanges(changes).map((g) => ({ ...g, insertOnly: true }));
    const plainInserts = (from: number) => statements.slice(from).filter((q) => /^INSERT INTO "uq"\."u" .* FROM "_sdc_chg_\w+"$/s.test(q.trim()));
    let mark = statements.length;
    const fresh = await loader.applyChangeGroups(spec, insertOnly([up({ id: "20", name: "twenty", qty: "20" }, 7n), up({ id: "21", name: "twenty-one", qty: "21" }, 7n)]), { state: { lsn: "0/7" }, tableVersion: 7, uniqueKeys: true });
    expect(fresh).toEqual({ rowsInserted: 2, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 2 });
    expect(plainInserts(mark)).toHaveLength(1);
    expect(statements.slice(mark).some((q) => q.startsWith("ROLLBACK TO SAVEPOINT"))).toBe(false);

    await loader.applyChanges(spec, [del("21", 8n)], { state: { lsn: "0/8" }, tableVersion: 7, uniqueKeys: true });
    mark = statements.length;
    // 21 was deleted at the source and is inserted again: its row (marked deleted) is at the destination.
    const again = await loader.applyChangeGroups(spec, insertOnly([up({ id: "21", name: "back", qty: "210" }, 9n), up({ id: "22", name: "twenty-two", qty: "22" }, 9n)]), { state: { lsn: "0/9" }, tableVersion: 7, uniqueKeys: true });
    expect(again).toEqual({ rowsInserted: 1, rowsUpdated: 1, rowsDeleted: 0, rowsReceived: 2 });
    expect(statements.slice(mark).filter((q) => q.startsWith("ROLLBACK TO SAVEPOINT"))).toHaveLength(1);
    expect(await loader.readState(spec.tableKey)).toEqual({ lsn: "0/9" });

    mark = statements.length;
    const later = await loader.applyChangeGroups(spec, insertOnly([up({ id: "23", name: "twenty-three", qty: "23" }, 10n)]), { state: { lsn: "0/10" }, tableVersion: 7, uniqueKeys: true });
    expect(later).toEqual({ rowsInserted: 1, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 1 });
    expect(plainInserts(mark)).toEqual([]);
    // The job's second connection (a fork) knows it too: it does not try the insert again.
    const fork = await loader.fork();
    try {
      mark = statements.length;
      const forked = await fork.applyChangeGroups(spec, insertOnly([up({ id: "24", name: "twenty-four", qty: "24" }, 11n)]), { state: { lsn: "0/11" }, tableVersion: 7, uniqueKeys: true });
      expect(forked).toEqual({ rowsInserted: 1, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 1 });
      expect(plainInserts(mark)).toEqual([]);
    } finally {
      await fork.close();
    }
    expect((await rows()).filter((r) => Number(r.id) >= 20)).toEqual([
      { id: "20", name: "twenty", qty: "20", deleted: null, seq: "7", v: "7" },
      { id: "21", name: "back", qty: "210", deleted: null, seq: "9", v: "7" },
      { id: "22", name: "twenty-two", qty: "22", deleted: null, seq: "9", v: "7" },
      { id: "23", name: "twenty-three", qty: "23", deleted: null, seq: "10", v: "7" },
      { id: "24", name: "twenty-four", qty: "24", deleted: null, seq: "11", v: "7" },
    ]);
  });

  it("keys equal at the destination but different as text converge, whether they meet in the inserts or in a merge after them", async () => {
    const other: TLoadTableSpec = { ...spec, tableKey: '"src"."public"."v"', table: "v" };
    await loader.ensureTable(other);
    const insertOnly = (changes: TChange[]) => groupChanges(changes).map((g) => ({ ...g, insertOnly: true }));
    // A merge after inserts that went in: the whole call is done again, in order.
    const inserted = insertOnly([up({ id: "1", name: "new", qty: "1" })]);
    const merged = groupChanges([up({ id: "2.0", name: "first", qty: "2" }, 2n), up({ id: "2.00", name: "second", qty: "3" }, 3n)]);
    const a = await loader.applyChangeGroups(other, [...inserted, ...merged], { state: { lsn: "0/1" }, tableVersion: 1, uniqueKeys: true });
    expect(a.rowsReceived).toBe(3);
    // Both in the inserts: they are merged instead, which meets the same clash; done again, in order.
    const b = await loader.applyChangeGroups(other, insertOnly([up({ id: "3.0", name: "first", qty: "4" }, 4n), up({ id: "3.00", name: "second", qty: "5" }, 5n)]), { state: { lsn: "0/2" }, tableVersion: 1, uniqueKeys: true });
    expect(b.rowsReceived).toBe(2);
    expect(await sqlOn(dest.url, `SELECT id::text, name, qty FROM uq.v ORDER BY id`)).toEqual([
      { id: "1", name: "new", qty: "1" },
      { id: "2.00", name: "second", qty: "3" },
      { id: "3.00", name: "second", qty: "5" },
    ]);
    expect(await loader.readState(other.tableKey)).toEqual({ lsn: "0/2" });
  });

  it("merges with MERGE where the server allows it (15 and later; counted by RETURNING only from 17)", () => {
    // Plain inserts of keys new at the source (the tests above) are not merges.
    const merges = statements.filter((q) => /^(MERGE|INSERT|WITH)/.test(q.trim()) && !/^INSERT INTO "uq"\."[uv]" .* FROM "_sdc_chg_\w+"$/s.test(q.trim()));
    expect(merges.length).toBeGreaterThan(0);
    // Counted by the statement itself, the merge is wrapped: WITH merged AS (MERGE … / INSERT … RETURNING).
    const kind = (q: string) => (/^(WITH merged AS \()?\s*MERGE INTO/.test(q.trim()) ? "MERGE" : /^(WITH merged AS \()?\s*INSERT INTO/.test(q.trim()) ? "INSERT … ON CONFLICT" : q);
    expect(new Set(merges.map(kind))).toEqual(new Set([server === "embedded" || trackCounts ? "MERGE" : "INSERT … ON CONFLICT"]));
  });
});
