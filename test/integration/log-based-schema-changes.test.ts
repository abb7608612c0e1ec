import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { quoteIdent } from "@/lib/naming/identifiers";
import { enableLogBasedReplication } from "@/lib/replication/log-based";
import { createEngineWorld, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";

enableLogBasedReplication();

const TABLE = "MixedCase";
const ROWS = 100_000;

/** Schema changes at the source of a Log-based table: the destination ends value-for-value equal. */
describe.each([
  { plugin: "wal2json", source: "pg15" as const },
  { plugin: "pgoutput", source: "embedded" as const },
])("Log-based through $plugin: schema changes at the source", ({ plugin, source }) => {
  let w: TEngineWorld;
  const dest = () => `${quoteIdent(w.schema)}.${quoteIdent(TABLE)}`;

  beforeAll(async () => {
    w = await createEngineWorld({ source, name: `Drift ${plugin}` });
    await sqlOn(
      w.sourceUrl,
      `CREATE TABLE "${TABLE}" (id int PRIMARY KEY, "Name" text, n int, code text, big bigint);
       INSERT INTO "${TABLE}" SELECT g, 'name ' || g, g, (g % 1000)::text, g * 10 FROM generate_series(1, ${ROWS}) g;`,
    );
    await selectTable(w, { name: TABLE }, { method: "log_based" });
    await succeed();
  });
  afterAll(async () => {
    await w?.close();
  });

  async function succeed(opts: { shouldStop?: () => boolean } = {}) {
    const job = await runJob(w, opts);
    expect(job.error).toBeNull();
    expect(job.outcome?.outcome).toBe("succeeded");
    const rows = await sqlOn(w.app.url, `SELECT message FROM extraction_log_lines WHERE job_run_id = $1 ORDER BY id`, [job.run.id]);
    return rows.map((r) => r.message!);
  }

  /**
   * Every source column, value by value (as text), against the destination's live rows: a digest of each
   * side first (100k rows), the rows themselves only when they differ, for a readable failure.
   */
  async function expectSameRows(): Promise<void> {
    const cols = await sqlOn(w.sourceUrl, `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [quoteIdent(TABLE)]);
    const list = cols.map((c) => `${quoteIdent(c.attname!)}::text AS ${quoteIdent(c.attname!)}`).join(", ");
    const srcSql = `SELECT ${list} FROM ${quoteIdent(TABLE)}`;
    const dstSql = `SELECT ${list} FROM ${dest()} WHERE _sdc_deleted_at IS NULL`;
    const digest = (sql: string) => `SELECT count(*) AS n, md5(string_agg(r::text, E'\\n' ORDER BY r.id::int)) AS h FROM (${sql}) r`;
    const [a] = await sqlOn(w.sourceUrl, digest(srcSql));
    const [b] = await sqlOn(w.destUrl, digest(dstSql));
    if (a!.h === b!.h && a!.n === b!.n) return;
    const src = await sqlOn(w.sourceUrl, `${srcSql} ORDER BY id`);
    const dst = await sqlOn(w.destUrl, `${dstSql} ORDER BY id`);
    expect(dst.length).toBe(src.length);
    const firstDiff = src.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(dst[i]));
    expect(dst[firstDiff]).toEqual(src[firstDiff]);
  }

  async function tableVersion(): Promise<string> {
    const [r] = await sqlOn(w.destUrl, `SELECT state->>'tableVersion' AS v FROM _pgreplicate.table_states WHERE integration_id = $1`, [w.integration.id]);
    return r!.v!;
  }

  async function destColumns(): Promise<Record<string, string>> {
    const rows = await sqlOn(w.destUrl, `SELECT attname, format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`, [dest()]);
    return Object.fromEntries(rows.map((r) => [r.attname!, r.t!]));
  }

  it("ADD COLUMN with a constant, a volatile or a generated value: existing rows get the source's values", async () => {
    await sqlOn(
      w.sourceUrl,
      `UPDATE "${TABLE}" SET "Name" = 'before ' || id WHERE id % 1000 = 1;
       ALTER TABLE "${TABLE}" ADD COLUMN "Added Later" text DEFAULT 'dflt';
       ALTER TABLE "${TABLE}" ADD COLUMN rnd double precision DEFAULT random();
       ALTER TABLE "${TABLE}" ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) STORED;
       UPDATE "${TABLE}" SET "Name" = 'after ' || id, "Added Later" = 'set' WHERE id % 1000 = 2;
       INSERT INTO "${TABLE}" (id, "Name", n) VALUES (${ROWS + 1}, 'new', 7);`,
    );
    const log = await succeed();
    expect(log.join("\n")).toContain(`Column "Added Later" was added to public."${TABLE}" with a default: PostgreSQL fills existing rows without changing them`);
    await expectSameRows();
    const [n] = await sqlOn(w.destUrl, `SELECT count(*) FILTER (WHERE "Added Later" = 'dflt') AS n FROM ${dest()}`);
    expect(Number(n!.n)).toBeGreaterThan(ROWS - 200);
  });

  it("ADD COLUMN without a default streams without a new copy", async () => {
    const version = await tableVersion();
    await sqlOn(w.sourceUrl, `ALTER TABLE "${TABLE}" ADD COLUMN note text; UPDATE "${TABLE}" SET note = 'n' || id WHERE id % 5000 = 0`);
    await succeed();
    await expectSameRows();
    expect(await tableVersion()).toBe(version);
  });

  it("RENAME COLUMN renames the destination column, and later updates land in it", async () => {
    const version = await tableVersion();
    // Changes from before the rename are still in the stream, under the old name.
    await sqlOn(w.sourceUrl, `UPDATE "${TABLE}" SET "Name" = 'before the rename ' || id WHERE id % 4000 = 0`);
    await sqlOn(w.sourceUrl, `ALTER TABLE "${TABLE}" RENAME COLUMN "Name" TO "Full Name"; UPDATE "${TABLE}" SET "Full Name" = 'renamed ' || id WHERE id % 3000 = 0`);
    const log = await succeed();
    expect(log.join("\n")).toContain(`Column "Name" of public."${TABLE}" was renamed to "Full Name" at the source: the destination column is renamed too`);
    const cols = await destColumns();
    expect(cols["Full Name"]).toBe("text");
    expect(cols.Name).toBeUndefined();
    await expectSameRows();
    expect(await tableVersion()).toBe(version);
  });

  it("int → bigint widens the destination column in place; a value past 2^31 lands", async () => {
    const version = await tableVersion();
    await sqlOn(w.sourceUrl, `UPDATE "${TABLE}" SET n = -n WHERE id % 6000 = 0; ALTER TABLE "${TABLE}" ALTER COLUMN n TYPE bigint; UPDATE "${TABLE}" SET n = 5000000000 WHERE id = 10`);
    await succeed();
    expect((await destColumns()).n).toBe("bigint");
    await expectSameRows();
    expect(await tableVersion()).toBe(version);
  });

  it("text → integer copies the table again; values exact", async () => {
    const version = await tableVersion();
    await sqlOn(w.sourceUrl, `ALTER TABLE "${TABLE}" ALTER COLUMN code TYPE integer USING code::integer; UPDATE "${TABLE}" SET code = code + 1 WHERE id % 7000 = 0`);
    const log = await succeed();
    expect(log.join("\n")).toContain(`Column "code" of public."${TABLE}" changed type from text to integer`);
    expect((await destColumns()).code).toBe("integer");
    await expectSameRows();
    expect(await tableVersion()).not.toBe(version);
  });

  it("DROP COLUMN keeps the destination column and says so", async () => {
    await sqlOn(w.sourceUrl, `ALTER TABLE "${TABLE}" DROP COLUMN big; UPDATE "${TABLE}" SET note = 'after drop' WHERE id = 3`);
    const log = await succeed();
    expect(log.join("\n")).toContain(`Column "big" was dropped from public."${TABLE}" at the source: the destination column is kept`);
    expect((await destColumns()).big).toBe("bigint");
    const [kept] = await sqlOn(w.destUrl, `SELECT big::text AS big FROM ${dest()} WHERE id = 4`);
    expect(kept!.big).toBe("40");
    await expectSameRows();
  });

  it("a column added again under a dropped column's name gets its own values, not the kept ones", async () => {
    await sqlOn(w.sourceUrl, `ALTER TABLE "${TABLE}" ADD COLUMN big bigint; UPDATE "${TABLE}" SET big = -id WHERE id % 9000 = 0`);
    const log = await succeed();
    expect(log.join("\n")).toContain(`Column "big" of public."${TABLE}" is a new column under the name of one the destination kept`);
    await expectSameRows();
  });

  /**
   * A change made after the job read the table's columns and before it marks where its read ends: the
   * stream is the first to carry it. The hook is the job's stop check just before the read (run order,
   * not timing); psql runs the DDL synchronously there.
   */
  function alterBeforeRead(sql: string): () => boolean {
    let calls = 0;
    return () => {
      // 1: the job's loop over tables; 2: the engine's loop over databases; 3: just before the read.
      if (++calls === 3) execFileSync("psql", [w.sourceUrl, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql]);
      return false;
    };
  }

  it("a column added with a default while the stream is read is brought by a copy at the end of the read", async () => {
    const log = await succeed({ shouldStop: alterBeforeRead(`ALTER TABLE "${TABLE}" ADD COLUMN late text DEFAULT 'late'; UPDATE "${TABLE}" SET late = 'changed' WHERE id = 5;`) });
    const read = log.findIndex((l) => l.startsWith("Read ") && l.includes("messages from slot"));
    const recopy = log.findIndex((l) => l.includes(`Column "late" was added to public."${TABLE}" with a default`));
    expect(read).toBeGreaterThan(-1);
    expect(recopy).toBeGreaterThan(read);
    await expectSameRows();
  });

  it("a type change that is no widening while the stream is read stops applying the table's changes and copies it at the end", async () => {
    const log = await succeed({ shouldStop: alterBeforeRead(`ALTER TABLE "${TABLE}" ALTER COLUMN n TYPE text; UPDATE "${TABLE}" SET n = 'not a number' WHERE id = 6;`) });
    expect(log.join("\n")).toContain(`Column "n" of public."${TABLE}" changed type`);
    expect((await destColumns()).n).toBe("text");
    await expectSameRows();
  });

  it("a table dropped and created again under its name is noticed and copied again", async () => {
    await sqlOn(
      w.sourceUrl,
      `DROP TABLE "${TABLE}";
       CREATE TABLE "${TABLE}" (id int PRIMARY KEY, "Full Name" text);
       INSERT INTO "${TABLE}" SELECT g, 'second life ' || g FROM generate_series(1, 500) g;`,
    );
    const log = await succeed();
    expect(log.join("\n")).toContain(`"public"."${TABLE}" was dropped and created again at the source since the last copy`);
    await expectSameRows();
    const [n] = await sqlOn(w.destUrl, `SELECT count(*) AS n FROM ${dest()}`);
    expect(n!.n).toBe("500");
  });
});
