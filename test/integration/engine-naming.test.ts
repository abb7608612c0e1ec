import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { integrations } from "@/db/schema";
import { eq } from "drizzle-orm";
import { compareTables, createEngineWorld, loadsOf, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";

const SCHEMA = 'We"ird Schema.ü';
const TABLE = 'Tab.le "x" ü';
const LONG = "c".repeat(63);
const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

describe("destination naming: hostile identifiers, include-schema option, collisions", () => {
  let w: TEngineWorld;

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Naming Shop", includeSchemaNames: true });
    await sqlOn(
      w.sourceUrl,
      `CREATE SCHEMA ${q(SCHEMA)};
       CREATE TABLE ${q(SCHEMA)}.${q(TABLE)} (${q('Col "1"')} int PRIMARY KEY, "select" text, "with space" text, ${q(LONG)} text, "MiXeD" date);
       INSERT INTO ${q(SCHEMA)}.${q(TABLE)} SELECT g, 'it''s ' || g, E'a\\tb', 'long', date '2020-02-29' + g FROM generate_series(1, 20) g;
       CREATE SCHEMA a; CREATE SCHEMA b;
       CREATE TABLE a.dup (id int PRIMARY KEY, v text); INSERT INTO a.dup VALUES (1, 'from a');
       CREATE TABLE b.dup (id int PRIMARY KEY, v text); INSERT INTO b.dup VALUES (1, 'from b'), (2, 'from b');`,
    );
    await selectTable(w, { schema: SCHEMA, name: TABLE }, { method: "key_based", replicationKey: ['Col "1"'] });
    await selectTable(w, { schema: "a", name: "dup" }, { method: "full_table" });
    await selectTable(w, { schema: "b", name: "dup" }, { method: "full_table" });
  });
  afterAll(async () => {
    await w?.close();
  });

  it("with schema names on, tables land as <schema>__<table>, quoted everywhere", async () => {
    const job = await runJob(w);
    expect(job.error).toBeNull();
    expect(job.outcome?.outcome).toBe("succeeded");
    const tables = await sqlOn(w.destUrl, `SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'naming_shop' AND relkind = 'r' ORDER BY relname`);
    expect(tables.map((t) => t.relname!).sort()).toEqual(["a__dup", "b__dup", `${SCHEMA}__${TABLE}`].sort());
    const cols = ['Col "1"', "select", "with space", LONG, "MiXeD"];
    const { src, dst } = await compareTables(w, `${q(SCHEMA)}.${q(TABLE)}`, `${SCHEMA}__${TABLE}`, cols, ['Col "1"']);
    expect(dst).toHaveLength(20);
    expect(dst).toEqual(src);
    const b = await sqlOn(w.destUrl, `SELECT v FROM naming_shop.b__dup ORDER BY id`);
    expect(b.map((r) => r.v)).toEqual(["from b", "from b"]);
  });

  it("with schema names off, two tables that would share a name are reported as a collision, not merged; the others go on", async () => {
    await w.app.db.update(integrations).set({ includeSchemaNames: false }).where(eq(integrations.id, w.integration.id));
    const job = await runJob(w);
    expect(job.outcome?.outcome).toBe("partial");
    const loads = await loadsOf(job.db, job.run.id);
    const dups = loads.filter((l) => l.destinationTable === "dup");
    expect(dups).toHaveLength(2);
    for (const d of dups) {
      expect(d.status).toBe("failed");
      expect(d.error).toMatch(/Destination table name "dup" is also the name of .*dup.*Include PostgreSQL schema names in destination tables/);
    }
    expect(loads.find((l) => l.destinationTable === TABLE)?.status).toBe("succeeded");
    const [exists] = await sqlOn(w.destUrl, `SELECT to_regclass('naming_shop.dup')::text AS t`);
    expect(exists?.t ?? null).toBeNull();
  });
});
