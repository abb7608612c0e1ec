import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { integrations } from "@/db/schema";
import { seal } from "@/lib/crypto";
import { quoteIdent } from "@/lib/naming/identifiers";
import { enableLogBasedReplication } from "@/lib/replication/log-based";
import { createEngineWorld, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";

enableLogBasedReplication();

const COLUMNS = ["id", "recorded_at", "sensor", "reading"];

/** A partitioned table with quoted names and a sub-partitioned partition, 3,000 rows across its partitions. */
const SETUP = `
  CREATE TABLE measurements (id int, recorded_at date, sensor text, reading numeric, PRIMARY KEY (id, recorded_at, sensor)) PARTITION BY RANGE (recorded_at);
  CREATE TABLE "Measurements 2024" PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE TABLE m2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY LIST (sensor);
  CREATE TABLE "m2025 a" PARTITION OF m2025 FOR VALUES IN ('a');
  CREATE TABLE m2025_rest PARTITION OF m2025 DEFAULT;
  INSERT INTO measurements SELECT g, date '2024-01-01' + (g % 700), CASE WHEN g % 3 = 0 THEN 'a' ELSE 's' || (g % 5) END, g / 8.0 FROM generate_series(1, 3000) g;`;

async function expectSameRows(w: TEngineWorld): Promise<void> {
  const list = COLUMNS.map((c) => `${quoteIdent(c)}::text`).join(", ");
  const src = await sqlOn(w.sourceUrl, `SELECT ${list} FROM measurements ORDER BY id, recorded_at`);
  const dst = await sqlOn(w.destUrl, `SELECT ${list} FROM ${quoteIdent(w.schema)}.measurements WHERE _sdc_deleted_at IS NULL ORDER BY id, recorded_at`);
  expect(dst.length).toBe(src.length);
  expect(dst).toEqual(src);
}

async function tableVersion(w: TEngineWorld): Promise<string> {
  const [r] = await sqlOn(w.destUrl, `SELECT state->>'tableVersion' AS v FROM _pgreplicate.table_states WHERE integration_id = $1`, [w.integration.id]);
  return r!.v!;
}

async function logOf(w: TEngineWorld, jobRunId: string): Promise<string> {
  const rows = await sqlOn(w.app.url, `SELECT message FROM extraction_log_lines WHERE job_run_id = $1 ORDER BY id`, [jobRunId]);
  return rows.map((r) => r.message).join("\n");
}

async function succeed(w: TEngineWorld) {
  const job = await runJob(w);
  expect(job.error).toBeNull();
  expect(job.outcome?.outcome).toBe("succeeded");
  return job;
}

describe.each([
  { plugin: "wal2json", source: "pg15" as const },
  { plugin: "pgoutput", source: "embedded" as const },
])("a partitioned table under Log-based through $plugin", ({ plugin, source }) => {
  let w: TEngineWorld;

  beforeAll(async () => {
    w = await createEngineWorld({ source, name: `Partitions ${plugin}` });
    await sqlOn(w.sourceUrl, SETUP);
    await selectTable(w, { name: "measurements" }, { method: "log_based" });
  });
  afterAll(async () => {
    await w?.close();
  });

  it("is copied whole under the root's name, partitions and sub-partitions together", async () => {
    await succeed(w);
    const [slot] = await sqlOn(w.sourceUrl, `SELECT plugin FROM pg_replication_slots WHERE database = current_database() AND NOT temporary`);
    expect(slot!.plugin).toBe(plugin);
    await expectSameRows(w);
    const [n] = await sqlOn(w.destUrl, `SELECT count(*) AS n FROM ${quoteIdent(w.schema)}.measurements`);
    expect(n!.n).toBe("3000");
    // One destination table: the partitions are not tables of their own there.
    const tables = await sqlOn(w.destUrl, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [w.schema]);
    expect(tables.map((t) => t.table_name)).toEqual(["measurements"]);
  });

  it("changes in every partition arrive, including a row moved to another partition by its key", async () => {
    const version = await tableVersion(w);
    await sqlOn(
      w.sourceUrl,
      `INSERT INTO measurements VALUES (5001, '2024-06-01', 'x', 1.5), (5002, '2025-03-01', 'a', 2.5), (5003, '2025-03-02', 'zz', 3.5);
       UPDATE measurements SET reading = reading + 100 WHERE id IN (10, 11, 12);
       DELETE FROM measurements WHERE id IN (20, 21, 22);
       UPDATE measurements SET recorded_at = '2025-07-07', sensor = 'a' WHERE id = 30;
       UPDATE measurements SET sensor = 'a' WHERE id = 31 AND recorded_at >= '2025-01-01';
       UPDATE measurements SET sensor = 'moved' WHERE id = 33 AND recorded_at >= '2025-01-01';`,
    );
    await succeed(w);
    await expectSameRows(w);
    // Changes, not a new copy.
    expect(await tableVersion(w)).toBe(version);
  });

  it("a partition created empty is read with the table, without a new copy", async () => {
    await sqlOn(w.sourceUrl, `CREATE TABLE "m2026 ""new""" PARTITION OF measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`);
    const version = await tableVersion(w);
    const first = await succeed(w);
    expect(await logOf(w, first.run.id)).toContain(`new partition(s) "public"."m2026 ""new"""; their changes are read with the table's`);
    await sqlOn(w.sourceUrl, `INSERT INTO measurements SELECT g, date '2026-02-01' + g % 30, 'n', g FROM generate_series(6001, 6100) g; UPDATE measurements SET reading = -1 WHERE id = 6001`);
    await succeed(w);
    await expectSameRows(w);
    expect(await tableVersion(w)).toBe(version);
  });

  it("a table attached with rows while changes stream makes the table copied again, exact", async () => {
    const version = await tableVersion(w);
    await sqlOn(
      w.sourceUrl,
      `CREATE TABLE old_2023 (id int NOT NULL, recorded_at date NOT NULL, sensor text NOT NULL, reading numeric);
       INSERT INTO old_2023 SELECT g, date '2023-01-01' + g % 300, 'old', g FROM generate_series(7001, 7400) g;
       INSERT INTO measurements VALUES (7500, '2024-02-02', 'b', 7);
       ALTER TABLE measurements ATTACH PARTITION old_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
       INSERT INTO measurements VALUES (7501, '2023-05-05', 'c', 8);
       UPDATE measurements SET reading = 0 WHERE id = 7002;`,
    );
    const job = await succeed(w);
    expect(await logOf(w, job.run.id)).toContain(`new partition(s) "public"."old_2023" already holding rows since the last copy`);
    await expectSameRows(w);
    expect(await tableVersion(w)).not.toBe(version);
    // And it streams on from that copy.
    await sqlOn(w.sourceUrl, `UPDATE measurements SET reading = 42 WHERE id = 7003; DELETE FROM measurements WHERE id = 7004`);
    await succeed(w);
    await expectSameRows(w);
  });

  it("detached and dropped partitions take their rows away at the destination too", async () => {
    await sqlOn(w.sourceUrl, `ALTER TABLE measurements DETACH PARTITION old_2023`);
    let job = await succeed(w);
    expect(await logOf(w, job.run.id)).toContain(`partition(s) "public"."old_2023" detached or dropped`);
    await expectSameRows(w);
    await sqlOn(w.sourceUrl, `DROP TABLE "Measurements 2024"; INSERT INTO measurements VALUES (8001, '2025-09-09', 'a', 1)`);
    job = await succeed(w);
    expect(await logOf(w, job.run.id)).toContain(`"public"."Measurements 2024" detached or dropped`);
    await expectSameRows(w);
  });

  it("never confirms the slot past what the destination holds", async () => {
    const [s] = await sqlOn(w.sourceUrl, `SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE database = current_database() AND NOT temporary`);
    const [saved] = await sqlOn(w.destUrl, `SELECT state->>'lsn' AS lsn FROM _pgreplicate.table_states WHERE integration_id = $1`, [w.integration.id]);
    const [ok] = await sqlOn(w.sourceUrl, `SELECT ($1::pg_lsn <= $2::pg_lsn)::text AS ok`, [s!.lsn, saved!.lsn]);
    expect(ok!.ok).toBe("true");
  });
});

describe("a partitioned table under Full Table and Key-based Incremental", () => {
  let w: TEngineWorld;

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Partitions batch" });
    await sqlOn(w.sourceUrl, SETUP);
  });
  afterAll(async () => {
    await w?.close();
  });

  it("Full Table copies every partition's rows", async () => {
    await selectTable(w, { name: "measurements" }, { method: "full_table" });
    await succeed(w);
    await expectSameRows(w);
  });

  it("Key-based reads the rows above its bookmark from every partition", async () => {
    await selectTable(w, { name: "measurements" }, { method: "key_based", replicationKey: ["id"] });
    await succeed(w);
    await expectSameRows(w);
    await sqlOn(w.sourceUrl, `INSERT INTO measurements VALUES (9001, '2024-03-03', 'k', 1), (9002, '2025-04-04', 'a', 2)`);
    await succeed(w);
    await expectSameRows(w);
  });
});

/**
 * The setup guide's publication made by a superuser FOR ALL TABLES, and an integration user that does not
 * own it: publish_via_partition_root cannot be set, so partitions' changes arrive under their own names.
 */
describe("a partitioned table through a pgoutput publication this user cannot change", () => {
  let w: TEngineWorld;
  const role = `part_reader_${Math.random().toString(36).slice(2, 8)}`;

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Partitions not owner" });
    const db = new URL(w.sourceUrl).pathname.slice(1);
    await sqlOn(
      w.sourceUrl,
      `${SETUP}
       CREATE ROLE ${role} LOGIN REPLICATION PASSWORD 'reader-pw';
       GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role};
       CREATE PUBLICATION ${quoteIdent(`stitch_${db}`)} FOR ALL TABLES;`,
    );
    await w.app.db.update(integrations).set({ username: role, passwordEnc: seal("reader-pw") }).where(eq(integrations.id, w.integration.id));
    await selectTable(w, { name: "measurements" }, { method: "log_based" });
  });
  afterAll(async () => {
    await w?.close();
    await sqlOn(w.sourceUrl.replace(/\/[^/]*$/, "/postgres"), `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  });

  it("copies the table, then applies its partitions' changes to it, and says why", async () => {
    const first = await succeed(w);
    expect(await logOf(w, first.run.id)).toContain("could not be changed");
    await expectSameRows(w);
    await sqlOn(w.sourceUrl, `INSERT INTO measurements VALUES (5001, '2024-06-01', 'x', 1.5), (5002, '2025-03-01', 'a', 2.5); UPDATE measurements SET recorded_at = '2025-07-07', sensor = 'a' WHERE id = 30; DELETE FROM measurements WHERE id = 20`);
    await succeed(w);
    await expectSameRows(w);
    const [pub] = await sqlOn(w.sourceUrl, `SELECT pubviaroot::text AS v FROM pg_publication`);
    expect(pub!.v).toBe("false");
  });
});
