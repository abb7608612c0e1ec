import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { extractionLogLines, tableSelections, tableStates } from "@/db/schema";
import { compareTables, createEngineWorld, loadsOf, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";

describe("Key-based Incremental into a real destination", () => {
  let w: TEngineWorld;
  let key: string;
  const cols = ["id", "name", "updated_at", "amount"];

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Keyed Shop" });
    await sqlOn(
      w.sourceUrl,
      `CREATE TABLE orders (id int PRIMARY KEY, name text, updated_at timestamptz, amount numeric);
       INSERT INTO orders SELECT g, 'order ' || g, timestamptz '2024-01-01 00:00:00+00' + (g / 10) * interval '1 hour', g * 0.5 FROM generate_series(1, 1000) g;
       INSERT INTO orders VALUES (2001, 'no key yet', NULL, 1), (2002, 'no key either', NULL, 2);`,
    );
    key = await selectTable(w, { name: "orders" }, { method: "key_based", replicationKey: ["updated_at"] });
  });
  afterAll(async () => {
    await w?.close();
  });

  it("first run: NULL-key rows once, then batches in key order, the bookmark advancing after each committed batch", async () => {
    const job = await runJob(w, { batchRows: 95 });
    expect(job.error).toBeNull();
    expect(job.outcome?.outcome).toBe("succeeded");
    const { src, dst } = await compareTables(w, "public.orders", "orders", cols, ["id"]);
    expect(dst).toHaveLength(1002);
    expect(dst).toEqual(src);
    const lines = await job.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, job.run.id));
    const updates = lines.filter((l) => l.message.startsWith("State update: ")).map((l) => l.message);
    // One for the NULL-key rows, then one per batch of ~95 rows (equal keys never split): 1000 rows → 11 batches.
    expect(updates.length).toBe(12);
    // Job logs are readable by Viewers: the state line shows the bookmark's shape, never its value.
    expect(updates.at(-1)).toContain('"bookmark":["$1"]');
    expect(updates.join("\n")).not.toContain("2024-01-0");
    expect(lines.some((l) => l.location === "tap" && l.message.includes('WHERE "updated_at" IS NULL'))).toBe(true);
    expect(lines.some((l) => l.location === "tap" && l.message.includes(`AND ("updated_at") > ($1::timestamp with time zone)`))).toBe(true);
    const [load] = await loadsOf(job.db, job.run.id);
    expect(load).toMatchObject({ status: "succeeded", rowsInserted: 1002, rowsUpdated: 0, rowsDone: 1002, maxBookmark: "2024-01-05 04:00:00+00" });
    const [mirror] = await job.db.select().from(tableStates).where(and(eq(tableStates.integrationId, w.integration.id), eq(tableStates.tableKey, key)));
    expect(mirror?.state).toMatchObject({ method: "key_based", bookmark: ["2024-01-05 04:00:00+00"], nullsDone: true });
  });

  it("next run: picks up rows at or after the bookmark (>=), updates upsert, NULL keys are not re-read, new columns are added", async () => {
    await sqlOn(
      w.sourceUrl,
      `UPDATE orders SET name = 'late change', amount = 99 WHERE id = 1000;
       UPDATE orders SET name = 'moved forward', updated_at = timestamptz '2024-02-01 00:00:00+00' WHERE id = 5;
       INSERT INTO orders VALUES (3000, 'new', timestamptz '2024-03-01 00:00:00+00', 3), (3001, 'new null', NULL, 4);
       ALTER TABLE orders ADD COLUMN channel text;
       UPDATE orders SET channel = 'web' WHERE id IN (5, 1000, 3000);`,
    );
    await selectTable(w, { name: "orders" }, { method: "key_based", replicationKey: ["updated_at"], columns: [...cols, "channel"] });
    const job = await runJob(w, { batchRows: 95 });
    expect(job.outcome?.outcome).toBe("succeeded");
    const [load] = await loadsOf(job.db, job.run.id);
    // Bookmark rows (updated_at = 2024-01-05 04:00, ids 1000) + id 5 + id 3000: 3 rows read.
    expect(load).toMatchObject({ rowsDone: 3, rowsInserted: 1, rowsUpdated: 2, maxBookmark: "2024-03-01 00:00:00+00" });
    const dst = await sqlOn(w.destUrl, `SELECT id, name, amount, channel FROM "keyed_shop".orders WHERE id IN (5, 1000, 3000, 3001, 6) ORDER BY id`);
    expect(dst).toEqual([
      { id: "5", name: "moved forward", amount: "2.5", channel: "web" },
      { id: "6", name: "order 6", amount: "3.0", channel: null },
      { id: "1000", name: "late change", amount: "99", channel: "web" },
      { id: "3000", name: "new", amount: "3", channel: "web" },
    ]);
    const lines = await job.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, job.run.id));
    expect(lines.some((l) => l.message.includes('ADD COLUMN IF NOT EXISTS "channel" text'))).toBe(true);
    expect(lines.some((l) => l.message.includes(`>= ($1::timestamp with time zone)`))).toBe(true);
  });

  it("a stop ends the job after the current batch; the next job resumes from the committed bookmark", async () => {
    await sqlOn(w.sourceUrl, `INSERT INTO orders (id, name, updated_at, amount) SELECT g, 'bulk ' || g, timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second', g FROM generate_series(10000, 10999) g`);
    let calls = 0;
    // Checked before the table and before each batch: the third check asks to stop, after one batch (the bookmark row + 99) committed.
    const stopped = await runJob(w, { batchRows: 100, shouldStop: () => calls++ >= 2 });
    expect(stopped.outcome?.outcome).toBe("stopped");
    const [load] = await loadsOf(stopped.db, stopped.run.id);
    expect(load?.status).toBe("stopped");
    expect(load?.maxBookmark).toBe("2025-01-01 02:48:18+00");
    const [partial] = await sqlOn(w.destUrl, `SELECT count(*) AS n FROM "keyed_shop".orders WHERE name LIKE 'bulk %'`);
    expect(Number(partial?.n)).toBe(99);
    const [mirror] = await w.app.db.select().from(tableStates).where(and(eq(tableStates.integrationId, w.integration.id), eq(tableStates.tableKey, key)));
    expect(mirror?.state).toMatchObject({ bookmark: ["2025-01-01 02:48:18+00"] });

    await sqlOn(w.sourceUrl, `INSERT INTO orders (id, name, updated_at, amount) SELECT g, 'more ' || g, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second', g FROM generate_series(20000, 20499) g`);
    const resumed = await runJob(w, { batchRows: 100 });
    expect(resumed.outcome?.outcome).toBe("succeeded");
    // Key-based never sees changes that leave the key behind: id 3001 (NULL key, added after the first run);
    // everything else matches.
    const { src, dst } = await compareTables(w, "(SELECT * FROM orders WHERE id <> 3001) AS o", "orders", cols, ["id"]);
    expect(dst).toHaveLength(2503);
    expect(dst).toEqual(src);
  });

  it("Reset Keys copies the table again into a new one that replaces it at once, with the highest key as bookmark", async () => {
    await sqlOn(w.destUrl, `INSERT INTO "keyed_shop".orders (id, name) VALUES (-1, 'stray row that only a reset removes')`);
    await w.app.db.update(tableSelections).set({ resetRequestedAt: new Date(Date.now() - 1000) }).where(eq(tableSelections.tableKey, key));
    const job = await runJob(w, { batchRows: 500 });
    expect(job.outcome?.outcome).toBe("succeeded");
    const { src, dst } = await compareTables(w, "public.orders", "orders", [...cols, "channel"], ["id"]);
    expect(dst).toEqual(src);
    const [sel] = await w.app.db.select().from(tableSelections).where(eq(tableSelections.tableKey, key));
    expect(sel?.resetRequestedAt).toBeNull();
    const lines = await job.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, job.run.id));
    expect(lines.some((l) => l.message.includes("Resetting") && l.message.includes("reset was requested"))).toBe(true);
    // One copy of the whole table (NULL keys included), not batches into an emptied table that readers
    // would see filling up: every row has the one new table version, which the state records.
    expect(lines.some((l) => l.message.startsWith("Running: COPY") && l.message.includes("TO STDOUT") && !l.message.includes("WHERE"))).toBe(true);
    const versions = await sqlOn(w.destUrl, `SELECT DISTINCT _sdc_table_version::text AS v FROM "keyed_shop".orders`);
    expect(versions).toHaveLength(1);
    const [mirror] = await w.app.db.select().from(tableStates).where(and(eq(tableStates.integrationId, w.integration.id), eq(tableStates.tableKey, key)));
    const [max] = await sqlOn(w.sourceUrl, `SELECT max(updated_at)::text AS m FROM orders`);
    expect(mirror?.state).toMatchObject({ method: "key_based", bookmark: [max!.m], nullsDone: true, tableVersion: Number(versions[0]!.v) });
    const [load] = await loadsOf(job.db, job.run.id);
    expect(load).toMatchObject({ status: "succeeded", rowsDone: src.length, maxBookmark: max!.m });
  });

  it("a reset whose copy fails leaves the old table and bookmark in place, and the reset is still asked for", async () => {
    // A view that fails when its rows are read, only while the switch says so.
    await sqlOn(
      w.sourceUrl,
      `CREATE TABLE fragile_switch (broken boolean NOT NULL); INSERT INTO fragile_switch VALUES (false);
       CREATE TABLE fragile_rows (id int PRIMARY KEY, at int NOT NULL, v text);
       INSERT INTO fragile_rows SELECT g, g, 'v' || g FROM generate_series(1, 50) g;
       CREATE VIEW fragile AS SELECT id, at, CASE WHEN (SELECT broken FROM fragile_switch) THEN (1 / (id - id))::text ELSE v END AS v FROM fragile_rows;`,
    );
    const fragile = await selectTable(w, { name: "fragile" }, { method: "key_based", replicationKey: ["at"], viewKeyColumns: ["id"] });
    expect((await runJob(w)).outcome?.outcome).toBe("succeeded");
    const stateOf = async () => (await w.app.db.select().from(tableStates).where(and(eq(tableStates.integrationId, w.integration.id), eq(tableStates.tableKey, fragile))))[0]?.state;
    const before = await stateOf();
    expect(before).toMatchObject({ bookmark: ["50"] });

    await sqlOn(w.sourceUrl, `UPDATE fragile_switch SET broken = true; INSERT INTO fragile_rows VALUES (51, 51, 'v51')`);
    const requested = new Date(Date.now() - 1000);
    await w.app.db.update(tableSelections).set({ resetRequestedAt: requested }).where(eq(tableSelections.tableKey, fragile));
    const failed = await runJob(w);
    const [load] = (await loadsOf(failed.db, failed.run.id)).filter((l) => l.tableKey === fragile);
    expect(load).toMatchObject({ status: "failed" });
    expect(load?.error).toContain("division by zero");
    // Readers still have every row of before; the next job is told to reset again.
    const [kept] = await sqlOn(w.destUrl, `SELECT count(*)::text AS n, max(at)::text AS m FROM "keyed_shop".fragile`);
    expect(kept).toEqual({ n: "50", m: "50" });
    expect(await stateOf()).toEqual(before);
    const [sel] = await w.app.db.select().from(tableSelections).where(eq(tableSelections.tableKey, fragile));
    expect(sel?.resetRequestedAt?.getTime()).toBe(requested.getTime());

    await sqlOn(w.sourceUrl, `UPDATE fragile_switch SET broken = false`);
    expect((await runJob(w)).outcome?.outcome).toBe("succeeded");
    const v = await compareTables(w, "public.fragile", "fragile", ["id", "at", "v"], ["id"]);
    expect(v.dst).toHaveLength(51);
    expect(v.dst).toEqual(v.src);
    expect(await stateOf()).toMatchObject({ bookmark: ["51"] });
    const [after] = await w.app.db.select().from(tableSelections).where(eq(tableSelections.tableKey, fragile));
    expect(after?.resetRequestedAt).toBeNull();
  });

  it("changing the Replication Key resets the table; a table without a primary key appends", async () => {
    await sqlOn(w.sourceUrl, `CREATE TABLE clicks (at int, page text); INSERT INTO clicks SELECT g, 'p' || g FROM generate_series(1, 10) g`);
    await selectTable(w, { name: "clicks" }, { method: "key_based", replicationKey: ["at"] });
    await selectTable(w, { name: "orders" }, { method: "key_based", replicationKey: ["id"], columns: [...cols, "channel"] });
    const first = await runJob(w);
    expect(first.outcome?.outcome).toBe("succeeded");
    const lines = await first.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, first.run.id));
    expect(lines.some((l) => l.message.includes("Replication Key changed"))).toBe(true);
    const o = await compareTables(w, "public.orders", "orders", [...cols, "channel"], ["id"]);
    expect(o.dst).toEqual(o.src);
    await sqlOn(w.sourceUrl, `INSERT INTO clicks VALUES (11, 'p11'), (12, 'p12')`);
    await runJob(w);
    // Appended: the bookmark row (at = 10) is read again by `>=`, then 11 and 12.
    const rows = await sqlOn(w.destUrl, `SELECT at, count(*) AS n FROM "keyed_shop".clicks GROUP BY at HAVING at >= 9 ORDER BY at`);
    expect(rows).toEqual([{ at: "9", n: "1" }, { at: "10", n: "2" }, { at: "11", n: "1" }, { at: "12", n: "1" }]);
  });

  it("works on views with view key columns and the key the user chose", async () => {
    await sqlOn(w.sourceUrl, `CREATE VIEW big_orders AS SELECT id, name, updated_at FROM orders WHERE amount > 100`);
    await selectTable(w, { name: "big_orders" }, { method: "key_based", replicationKey: ["updated_at"], viewKeyColumns: ["id"] });
    const job = await runJob(w, { batchRows: 50 });
    expect(job.outcome?.outcome).toBe("succeeded");
    const v = await compareTables(w, "public.big_orders", "big_orders", ["id", "name", "updated_at"], ["id"]);
    expect(v.dst.length).toBeGreaterThan(500);
    expect(v.dst).toEqual(v.src);
  });
});
