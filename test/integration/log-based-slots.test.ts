import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rerunPrerequisiteReport } from "@/lib/integrations/update-prerequisites";
import { enableLogBasedReplication } from "@/lib/replication/log-based";
import { createEmptyDatabase } from "../support/databases";
import { connectionParts } from "../support/url";
import { withEnv } from "../support/env";
import { createIntegration } from "../support/fixtures";
import { createEngineWorld, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";

enableLogBasedReplication();

async function lsnGte(url: string, a: string, b: string): Promise<boolean> {
  const [r] = await sqlOn(url, `SELECT ($1::pg_lsn >= $2::pg_lsn)::text AS ok`, [a, b]);
  return r!.ok === "true";
}

/** The source's disk: an idle tracked table while other tables churn must not hold WAL back. */
describe.each([
  { plugin: "wal2json", source: "pg15" as const },
  { plugin: "pgoutput", source: "embedded" as const },
])("idle tables through $plugin", ({ plugin, source }) => {
  let w: TEngineWorld;
  beforeAll(async () => {
    w = await createEngineWorld({ source, name: `Idle ${plugin}` });
    await sqlOn(w.sourceUrl, `CREATE TABLE quiet (id int PRIMARY KEY, v text); INSERT INTO quiet VALUES (1, 'a'); CREATE TABLE busy (id serial PRIMARY KEY, payload text)`);
    await selectTable(w, { name: "quiet" }, { method: "log_based" });
  });
  afterAll(async () => {
    await w?.close();
  });

  it("advances the slot past other tables' churn and warns when retained WAL passes the threshold", async () => {
    expect((await runJob(w)).error).toBeNull();
    const [before] = await sqlOn(w.sourceUrl, `SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE database = current_database()`);
    // Churn a table nobody tracks: several MB of WAL in many transactions.
    for (let i = 0; i < 20; i++) await sqlOn(w.sourceUrl, `INSERT INTO busy (payload) SELECT repeat(md5(g::text), 8) FROM generate_series(1, 2000) g`);
    const [churned] = await sqlOn(w.sourceUrl, `SELECT pg_current_wal_lsn()::text AS l`);
    expect(await lsnGte(w.sourceUrl, churned!.l!, before!.c!)).toBe(true);

    // Where the source's WAL is just before the job: the job reads (and confirms) at least this far.
    // (The current position after the job is no measure: other test files write to this server too.)
    const [atStart] = await sqlOn(w.sourceUrl, `SELECT pg_current_wal_lsn()::text AS l`);
    // A transaction open across the job keeps the slot's restart point behind it, so the slot retains WAL
    // whatever else the server is doing (an idle server could otherwise let it catch up to the current end).
    const open = new pg.Client({ connectionString: w.sourceUrl });
    await open.connect();
    let job: Awaited<ReturnType<typeof runJob>>;
    try {
      await open.query("BEGIN");
      await open.query("INSERT INTO busy (payload) VALUES ('held open')");
      await sqlOn(w.sourceUrl, `INSERT INTO busy (payload) SELECT repeat(md5(g::text), 8) FROM generate_series(1, 2000) g`);
      job = await withEnv("RETAINED_WAL_WARN_MB", "0.001", () => runJob(w));
    } finally {
      await open.query("ROLLBACK").catch(() => undefined);
      await open.end();
    }
    expect(job.error).toBeNull();
    const [after] = await sqlOn(w.sourceUrl, `SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE database = current_database()`);
    // The slot moved past the churn to where the source was when the job started, though no tracked
    // table changed: the WAL it retains is bounded by what came after the job.
    expect(await lsnGte(w.sourceUrl, after!.c!, churned!.l!)).toBe(true);
    expect(await lsnGte(w.sourceUrl, after!.c!, atStart!.l!)).toBe(true);
    // The destination holds that position too (saved with the state), so the slot is never ahead of it.
    const [saved] = await sqlOn(w.destUrl, `SELECT state->>'lsn' AS lsn FROM _pgreplicate.table_states WHERE integration_id = $1`, [w.integration.id]);
    expect(await lsnGte(w.sourceUrl, saved!.lsn!, after!.c!)).toBe(true);
    const lines = await sqlOn(w.app.url, `SELECT level::text, message FROM extraction_log_lines WHERE job_run_id = $1 AND message LIKE '%retains%'`, [job.run.id]);
    expect(lines[0]?.level).toBe("WARNING");
    expect(lines[0]?.message).toMatch(/Replication slot stitch_\S+ retains .* of WAL on the source/);
  });
});

describe("several databases in one integration: one slot each, acknowledged on its own", () => {
  let w: TEngineWorld;
  let other: { url: string; name: string; drop(): Promise<void> };
  beforeAll(async () => {
    w = await createEngineWorld({ source: "embedded", name: "Two Databases" });
    other = await createEmptyDatabase("embedded", "src2");
    await sqlOn(w.sourceUrl, `CREATE TABLE a_items (id int PRIMARY KEY, v text); INSERT INTO a_items VALUES (1, 'a1')`);
    await sqlOn(other.url, `CREATE TABLE b_items (id int PRIMARY KEY, v text); INSERT INTO b_items VALUES (1, 'b1')`);
    await selectTable(w, { name: "a_items" }, { method: "log_based" });
    await selectTable({ ...w, sourceUrl: other.url }, { name: "b_items" }, { method: "log_based" });
  });
  afterAll(async () => {
    await other?.drop();
    await w?.close();
  });

  it("creates stitch_<database> in each and replicates both", async () => {
    expect((await runJob(w)).error).toBeNull();
    const slots = await sqlOn(w.sourceUrl, `SELECT slot_name, database FROM pg_replication_slots WHERE database IN ($1, $2) ORDER BY slot_name`, [new URL(w.sourceUrl).pathname.slice(1), other.name]);
    expect(slots.map((s) => s.slot_name).sort()).toEqual([`stitch_${new URL(w.sourceUrl).pathname.slice(1)}`, `stitch_${other.name}`].sort());
    const [bBefore] = await sqlOn(other.url, `SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE database = current_database()`);

    await sqlOn(w.sourceUrl, `INSERT INTO a_items VALUES (2, 'a2'); UPDATE a_items SET v = 'A1' WHERE id = 1`);
    await sqlOn(other.url, `INSERT INTO b_items VALUES (2, 'b2'); DELETE FROM b_items WHERE id = 1`);
    expect((await runJob(w)).error).toBeNull();
    expect(await sqlOn(w.destUrl, `SELECT id::text, v FROM two_databases.a_items ORDER BY 1`)).toEqual([
      { id: "1", v: "A1" },
      { id: "2", v: "a2" },
    ]);
    expect(await sqlOn(w.destUrl, `SELECT id::text, v, (_sdc_deleted_at IS NOT NULL)::text AS deleted FROM two_databases.b_items ORDER BY 1`)).toEqual([
      { id: "1", v: "b1", deleted: "true" },
      { id: "2", v: "b2", deleted: "false" },
    ]);
    const [bAfter] = await sqlOn(other.url, `SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE database = current_database()`);
    expect(await lsnGte(other.url, bAfter!.c!, bBefore!.c!)).toBe(true);
    expect(bAfter!.c).not.toBe(bBefore!.c);
  });
});

describe("two integrations on one source database never share a slot", () => {
  let w: TEngineWorld;
  let second: TEngineWorld;
  beforeAll(async () => {
    w = await createEngineWorld({ source: "embedded", name: "First Reader" });
    await sqlOn(w.sourceUrl, `CREATE TABLE shared_items (id int PRIMARY KEY, v text); INSERT INTO shared_items VALUES (1, 'one')`);
    const integration = await createIntegration(
      w.app.db,
      w.teamId,
      connectionParts(w.sourceUrl),
      { name: "Second Reader", schemaName: "second_reader" },
    );
    second = { ...w, integration, schema: "second_reader" };
    await selectTable(w, { name: "shared_items" }, { method: "log_based" });
    await selectTable(second, { name: "shared_items" }, { method: "log_based" });
  });
  afterAll(async () => {
    await w?.close();
  });

  it("the second integration gets stitch_<db>_<schema>; both see every change", async () => {
    const db = new URL(w.sourceUrl).pathname.slice(1);
    expect((await runJob(w)).error).toBeNull();
    const job = await runJob(second);
    expect(job.error).toBeNull();
    const slots = await sqlOn(w.sourceUrl, `SELECT slot_name FROM pg_replication_slots WHERE database = current_database() ORDER BY 1`);
    expect(slots.map((s) => s.slot_name)).toEqual([`stitch_${db}`, `stitch_${db}_second_reader`]);
    const warn = await sqlOn(w.app.url, `SELECT level::text, message FROM extraction_log_lines WHERE job_run_id = $1 AND message LIKE '%already read by%'`, [job.run.id]);
    expect(warn[0]?.level).toBe("WARNING");

    await sqlOn(w.sourceUrl, `INSERT INTO shared_items VALUES (2, 'two'); UPDATE shared_items SET v = 'ONE' WHERE id = 1`);
    expect((await runJob(w)).error).toBeNull();
    expect((await runJob(second)).error).toBeNull();
    for (const schema of [w.schema, "second_reader"]) {
      expect(await sqlOn(w.destUrl, `SELECT id::text, v FROM "${schema}".shared_items ORDER BY 1`)).toEqual([
        { id: "1", v: "ONE" },
        { id: "2", v: "two" },
      ]);
    }

    // Each integration's prerequisite report checks the slot it reads, and the publication it reads through.
    const reports = await Promise.all([w, second].map((x) => rerunPrerequisiteReport(w.app.db, { teamId: w.teamId, userId: null, email: null }, x.integration.id)));
    expect(reports.map((r) => r.report?.slotName)).toEqual([`stitch_${db}`, `stitch_${db}_second_reader`]);
    const own = reports[1]!.report!.items;
    expect(own.find((i) => i.id === "slot")).toMatchObject({ status: "pass", summary: expect.stringContaining(`The slot stitch_${db}_second_reader exists`) });
    expect(own.find((i) => i.id === "publication")).toMatchObject({ status: "pass", summary: expect.stringContaining(`Publication stitch_${db} covers`) });
    expect(own.find((i) => i.id === "peek")?.status).toBe("pass");
  });
});

describe("a slot no table of the integration reads any more", () => {
  let w: TEngineWorld;
  beforeAll(async () => {
    w = await createEngineWorld({ source: "embedded", name: "Former Log Reader" });
    await sqlOn(w.sourceUrl, `CREATE TABLE plain_items (id int PRIMARY KEY, v text); INSERT INTO plain_items VALUES (1, 'one')`);
    await selectTable(w, { name: "plain_items" }, { method: "full_table" });
  });
  afterAll(async () => {
    await w?.close();
  });

  it("each job warns that it retains WAL, with the statement to drop it", async () => {
    const db = new URL(w.sourceUrl).pathname.slice(1);
    // Left behind when the tables moved to another method: nothing reads it, WAL piles up behind it.
    await sqlOn(w.sourceUrl, `SELECT pg_create_logical_replication_slot('stitch_${db}', 'pgoutput')`);
    await sqlOn(w.sourceUrl, `CREATE TABLE filler AS SELECT g, md5(g::text) AS m FROM generate_series(1, 20000) g`);
    const warnings = async (runId: string) =>
      sqlOn(w.app.url, `SELECT message FROM extraction_log_lines WHERE job_run_id = $1 AND level = 'WARNING' AND message LIKE '%no longer read%'`, [runId]);

    const quiet = await runJob(w);
    expect(quiet.error).toBeNull();
    expect(await warnings(quiet.run.id)).toEqual([]); // below the threshold (1 GiB by default)

    const job = await withEnv("RETAINED_WAL_WARN_MB", "0.5", () => runJob(w));
    expect(job.error).toBeNull();
    const [line] = await warnings(job.run.id);
    expect(line?.message).toMatch(new RegExp(`^Replication slot stitch_${db} retains \\d+\\.\\d MB of WAL on the source`));
    expect(line?.message).toContain(`No table of this integration uses Log-based Replication in database "${db}"`);
    expect(line?.message).toMatch(new RegExp(`drop it: SELECT pg_drop_replication_slot\\('stitch_${db}'\\);$`));
  });
});
