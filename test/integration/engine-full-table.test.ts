import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, asc, eq } from "drizzle-orm";
import { extractionLogLines, jobRuns, rowUsage, tableStates } from "@/db/schema";
import { compareTables, createEngineWorld, loadsOf, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";

describe("Full Table into a real destination", () => {
  let w: TEngineWorld;

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Full Shop" });
    await sqlOn(
      w.sourceUrl,
      `CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, balance numeric(12,2), score double precision, tags text[], profile jsonb, born date, seen_at timestamptz);
       INSERT INTO customers SELECT g, 'c' || g || '@example.com', g * 1.25, g / 3.0, ARRAY['a' || g, NULL], jsonb_build_object('n', g), date '2000-01-01' + g, timestamptz '2024-01-01 00:00:00.123456+00' + g * interval '1 minute' FROM generate_series(1, 1000) g;
       CREATE TABLE events (at timestamptz, kind text);
       INSERT INTO events SELECT timestamptz '2024-05-01 00:00:00+00' + g * interval '1 second', 'k' || (g % 3) FROM generate_series(1, 50) g;
       CREATE VIEW rich_customers AS SELECT id, email, balance FROM customers WHERE balance > 1000;
       CREATE MATERIALIZED VIEW customer_counts AS SELECT born, count(*) AS n FROM customers GROUP BY born;`,
    );
  });
  afterAll(async () => {
    await w?.close();
  });

  it("copies every selected column exactly, adds the _sdc columns and a primary key like the source's, and reports the load", async () => {
    const key = await selectTable(w, { name: "customers" }, { method: "full_table" });
    const job = await runJob(w);
    expect(job.error).toBeNull();
    expect(job.outcome?.outcome).toBe("succeeded");
    const cols = ["id", "email", "balance", "score", "tags", "profile", "born", "seen_at"];
    const { src, dst } = await compareTables(w, "public.customers", "customers", cols, ["id"]);
    expect(dst).toHaveLength(1000);
    expect(dst).toEqual(src);

    const types = await sqlOn(w.destUrl, `SELECT attname, format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [`"full_shop".customers`]);
    expect(types.map((r) => `${r.attname} ${r.t}`)).toEqual([
      "id integer", "email text", "balance numeric(12,2)", "score double precision", "tags text[]", "profile jsonb", "born date", "seen_at timestamp with time zone",
      "_sdc_extracted_at timestamp with time zone", "_sdc_received_at timestamp with time zone", "_sdc_batched_at timestamp with time zone",
      "_sdc_sequence bigint", "_sdc_table_version bigint", "_sdc_deleted_at timestamp with time zone",
    ]);
    const [pk] = await sqlOn(w.destUrl, `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'`, [`"full_shop".customers`]);
    expect(pk?.def).toBe("PRIMARY KEY (id)");
    const [sdc] = await sqlOn(w.destUrl, `SELECT count(*) FILTER (WHERE _sdc_extracted_at IS NULL OR _sdc_batched_at IS NULL OR _sdc_received_at IS NULL OR _sdc_sequence IS NULL OR _sdc_table_version IS NULL) AS missing, count(*) FILTER (WHERE _sdc_deleted_at IS NOT NULL) AS deleted FROM "full_shop".customers`);
    expect(sdc).toEqual({ missing: "0", deleted: "0" });

    const loads = await loadsOf(job.db, job.run.id);
    expect(loads).toHaveLength(1);
    expect(loads[0]).toMatchObject({ tableKey: key, destinationTable: "customers", method: "full_table", status: "succeeded", rowsInserted: 1000, rowsDone: 1000, maxBookmark: null, error: null });
    expect(loads[0]!.completedAt).not.toBeNull();
    const usage = await job.db.select().from(rowUsage).where(eq(rowUsage.integrationId, w.integration.id));
    expect(usage.map((u) => u.rows)).toEqual([1000]);
    const lines = await job.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, job.run.id)).orderBy(asc(extractionLogLines.id));
    const text = lines.map((l) => `${l.location} ${l.level} ${l.message}`);
    expect(text.some((t) => t.startsWith("tap INFO Running: COPY \"public\".\"customers\""))).toBe(true);
    expect(text.some((t) => t.startsWith('target INFO CREATE SCHEMA IF NOT EXISTS "full_shop"'))).toBe(true);
    expect(text.some((t) => t.startsWith("target INFO State update: ") && t.includes('"full_table"'))).toBe(true);
    const [mirror] = await job.db.select().from(tableStates).where(and(eq(tableStates.integrationId, w.integration.id), eq(tableStates.tableKey, key)));
    expect(mirror?.method).toBe("full_table");
    const [snap] = await job.db.select({ s: jobRuns.selectionSnapshot }).from(jobRuns).where(eq(jobRuns.id, job.run.id));
    expect(snap?.s).toEqual([expect.objectContaining({ tableKey: key, method: "full_table" })]);
  });

  it("replaces the table on the next run: source deletes disappear, updates and inserts arrive, a new table version", async () => {
    const [before] = await sqlOn(w.destUrl, `SELECT DISTINCT _sdc_table_version AS v FROM "full_shop".customers`);
    await sqlOn(w.sourceUrl, `DELETE FROM customers WHERE id <= 100; UPDATE customers SET email = 'changed' || id WHERE id BETWEEN 500 AND 510; INSERT INTO customers (id, email) VALUES (5000, 'new@example.com'); ALTER TABLE customers ADD COLUMN nickname text; UPDATE customers SET nickname = 'nick' || id WHERE id % 2 = 0`);
    await selectTable(w, { name: "customers" }, { method: "full_table" });
    const job = await runJob(w);
    expect(job.outcome?.outcome).toBe("succeeded");
    const { src, dst } = await compareTables(w, "public.customers", "customers", ["id", "email", "nickname", "balance", "seen_at"], ["id"]);
    expect(dst).toHaveLength(901);
    expect(dst).toEqual(src);
    const [after] = await sqlOn(w.destUrl, `SELECT DISTINCT _sdc_table_version AS v FROM "full_shop".customers`);
    expect(BigInt(after!.v!)).toBeGreaterThan(BigInt(before!.v!));
    // No leftover build tables in the schema.
    const rels = await sqlOn(w.destUrl, `SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'full_shop' AND relkind = 'r' ORDER BY 1`);
    expect(rels.map((r) => r.relname)).toEqual(["customers"]);
  });

  it("copies views (with view key columns as the key), materialized views and keyless tables", async () => {
    await selectTable(w, { name: "rich_customers" }, { method: "full_table", viewKeyColumns: ["id"] });
    await selectTable(w, { name: "customer_counts" }, { method: "full_table" });
    await selectTable(w, { name: "events" }, { method: "full_table" });
    const job = await runJob(w);
    expect(job.outcome?.outcome).toBe("succeeded");
    const v = await compareTables(w, "public.rich_customers", "rich_customers", ["id", "email", "balance"], ["id"]);
    expect(v.dst.length).toBeGreaterThan(100);
    expect(v.dst).toEqual(v.src);
    const m = await compareTables(w, "public.customer_counts", "customer_counts", ["born", "n"], ["born"]);
    expect(m.dst).toEqual(m.src);
    const e = await compareTables(w, "public.events", "events", ["at", "kind"], ["at"]);
    expect(e.dst).toHaveLength(50);
    expect(e.dst).toEqual(e.src);
    const [pk] = await sqlOn(w.destUrl, `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = '"full_shop".rich_customers'::regclass AND contype = 'p'`);
    expect(pk?.def).toBe("PRIMARY KEY (id)");
    // Running again replaces rather than appends, also for the keyless table.
    const again = await runJob(w);
    expect(again.outcome?.outcome).toBe("succeeded");
    const [n] = await sqlOn(w.destUrl, `SELECT count(*) AS n FROM "full_shop".events`);
    expect(n?.n).toBe("50");
  });

  it("keeps the old table when a replacement fails, reports that table failed and goes on with the others", async () => {
    // Two rows with the same view key: the new copy cannot get its primary key, so the swap never happens.
    await sqlOn(w.sourceUrl, `CREATE OR REPLACE VIEW rich_customers AS SELECT id, email, balance FROM customers WHERE balance > 1000 UNION ALL SELECT id, 'dup', balance FROM customers WHERE id = 999`);
    const [before] = await sqlOn(w.destUrl, `SELECT count(*) AS n FROM "full_shop".rich_customers`);
    const job = await runJob(w);
    expect(job.error).toBeNull();
    expect(job.outcome?.outcome).toBe("partial");
    const loads = await loadsOf(job.db, job.run.id);
    const failed = loads.find((l) => l.destinationTable === "rich_customers");
    expect(failed?.status).toBe("failed");
    expect(failed?.error).toMatch(/duplicate|unique/i);
    expect(loads.filter((l) => l.status === "succeeded").map((l) => l.destinationTable).sort()).toEqual(["customer_counts", "customers", "events"]);
    const [after] = await sqlOn(w.destUrl, `SELECT count(*) AS n FROM "full_shop".rich_customers`);
    expect(after?.n).toBe(before?.n);
    const lines = await job.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, job.run.id));
    expect(lines.some((l) => l.level === "ERROR" && l.message.includes("rich_customers"))).toBe(true);
  });
});
