import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { extractionLogLines, tableSelections, tableStates } from "@/db/schema";
import { refreshCatalog } from "@/lib/source/discovery-store";
import { compareTables, createEngineWorld, loadsOf, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";

/**
 * Schema changes at the source under Key-based Incremental (and a rename under Full Table): the
 * destination ends equal to the source value by value, by DDL where that is exact, else by a copy of
 * the table; each job runs discovery first, as the worker does.
 */
describe("Key-based Incremental follows schema changes at the source", () => {
  let w: TEngineWorld;
  let key: string;
  const dest = `"schema_shift"."MixedCase"`;

  /** The source's columns in order, as the destination should have them (its _sdc columns aside). */
  const sourceColumns = async () => (await sqlOn<{ name: string }>(w.sourceUrl, `SELECT attname AS name FROM pg_attribute WHERE attrelid = 'public."MixedCase"'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`)).map((r) => r.name);
  const destColumns = async () =>
    (await sqlOn<{ name: string; type: string }>(w.destUrl, `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = '${dest}'::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT LIKE '\\_sdc\\_%' ORDER BY attnum`));
  /** Every source column, row by row, equal at the destination. */
  const expectSameRows = async () => {
    const { src, dst } = await compareTables(w, `public."MixedCase"`, "MixedCase", await sourceColumns(), ["id"]);
    expect(src.length).toBeGreaterThan(0);
    expect(dst).toEqual(src);
  };
  const job = async () => {
    const j = await runJob(w, { discover: refreshCatalog, batchRows: 70 });
    expect(j.error).toBeNull();
    expect(j.outcome?.outcome).toBe("succeeded");
    const lines = (await j.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, j.run.id))).map((l) => l.message);
    const [load] = (await loadsOf(j.db, j.run.id)).filter((l) => l.tableKey === key);
    const copied = lines.filter((l) => l.includes("so the table is copied again"));
    return { lines, load: load!, copied };
  };
  /** Moves some rows' key past the others, as an application's update would. */
  const touch = (set: string, where: string) => sqlOn(w.sourceUrl, `UPDATE "MixedCase" SET ${set}, "Seq No" = (SELECT max("Seq No") FROM "MixedCase") + id WHERE ${where}`);

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Schema Shift" });
    await sqlOn(
      w.sourceUrl,
      `CREATE TABLE "MixedCase" (id int PRIMARY KEY, "Seq No" bigint NOT NULL, note text, qty integer, code text, legacy text);
       INSERT INTO "MixedCase" SELECT g, g, 'note ' || g, g * 10, lpad(g::text, 4, '0'), 'old ' || g FROM generate_series(1, 200) g;`,
    );
    key = await selectTable(w, { name: "MixedCase" }, { method: "key_based", replicationKey: ["Seq No"] });
    const first = await job();
    expect(first.load).toMatchObject({ status: "succeeded", rowsDone: 200 });
    await expectSameRows();
  });
  afterAll(async () => {
    await w?.close();
  });

  it("ADD COLUMN with a constant default: existing rows get it, by a copy of the table said in plain words", async () => {
    await sqlOn(w.sourceUrl, `ALTER TABLE "MixedCase" ADD COLUMN "Added Later" text DEFAULT 'from the catalog'`);
    const { copied, load } = await job();
    expect(copied).toEqual([
      `Column "Added Later" was added to public."MixedCase" with a default: PostgreSQL fills existing rows without changing them, so the table is copied again to bring the existing rows' values`,
    ]);
    expect(load).toMatchObject({ status: "succeeded", rowsDone: 200 });
    const [n] = await sqlOn(w.destUrl, `SELECT count(*)::text AS n FROM ${dest} WHERE "Added Later" = 'from the catalog'`);
    expect(n?.n).toBe("200");
    await expectSameRows();
  });

  it("ADD COLUMN with a volatile default and a STORED generated column: copied again, value by value", async () => {
    await sqlOn(w.sourceUrl, `ALTER TABLE "MixedCase" ADD COLUMN token text DEFAULT md5(random()::text), ADD COLUMN doubled bigint GENERATED ALWAYS AS ("Seq No" * 2) STORED`);
    const { copied } = await job();
    expect(copied).toHaveLength(1);
    expect(copied[0]).toContain(`Column "token" was added to public."MixedCase" with a default`);
    expect(copied[0]).toContain(`Column "doubled" was added to public."MixedCase" as a generated column`);
    const [distinct] = await sqlOn(w.destUrl, `SELECT count(DISTINCT token)::text AS n FROM ${dest}`);
    expect(distinct?.n).toBe("200");
    await expectSameRows();
  });

  it("ADD COLUMN without a default needs no copy: existing rows are NULL at the source too", async () => {
    await sqlOn(w.sourceUrl, `ALTER TABLE "MixedCase" ADD COLUMN plain text`);
    await touch(`plain = 'set later'`, `id <= 5`);
    const { copied, lines, load } = await job();
    expect(copied).toEqual([]);
    expect(lines).toContain(`Column "plain" was added to public."MixedCase" without a default: existing rows hold NULL at the source too, so no copy is needed`);
    // The bookmark row again, then the five touched rows: no whole-table read.
    expect(load).toMatchObject({ status: "succeeded", rowsDone: 6 });
    await expectSameRows();
  });

  it("RENAME COLUMN then UPDATE: one renamed destination column with its values, the selection follows the rename", async () => {
    await sqlOn(w.sourceUrl, `ALTER TABLE "MixedCase" RENAME COLUMN note TO "Note, Renamed"`);
    await touch(`"Note, Renamed" = 'renamed then updated'`, `id IN (7, 8)`);
    const { copied, lines, load } = await job();
    expect(copied).toEqual([]);
    expect(lines).toContain(`Column "note" of public."MixedCase" was renamed to "Note, Renamed" at the source: the destination column is renamed too, with its values`);
    expect(load).toMatchObject({ status: "succeeded", rowsDone: 3 });
    const names = (await destColumns()).map((c) => c.name);
    expect(names).toContain("Note, Renamed");
    expect(names).not.toContain("note");
    expect(names).toEqual(await sourceColumns().then((cols) => cols.filter((c) => names.includes(c))));
    await expectSameRows();
    const [sel] = await w.app.db.select().from(tableSelections).where(and(eq(tableSelections.integrationId, w.integration.id), eq(tableSelections.tableKey, key)));
    expect(sel?.finalized?.columns).toContain("Note, Renamed");
    expect(sel?.finalized?.columns).not.toContain("note");
  });

  it("a renamed Replication Key keeps its bookmark: no reset, the next rows come after it", async () => {
    await sqlOn(w.sourceUrl, `ALTER TABLE "MixedCase" RENAME COLUMN "Seq No" TO "Sequence"`);
    await sqlOn(w.sourceUrl, `UPDATE "MixedCase" SET "Sequence" = (SELECT max("Sequence") FROM "MixedCase") + 1, plain = 'after the key rename' WHERE id = 9`);
    const { copied, lines, load } = await job();
    expect(copied).toEqual([]);
    expect(lines.some((l) => l.startsWith("Resetting"))).toBe(false);
    expect(load).toMatchObject({ status: "succeeded", rowsDone: 2 });
    const [mirror] = await w.app.db.select().from(tableStates).where(and(eq(tableStates.integrationId, w.integration.id), eq(tableStates.tableKey, key)));
    expect(mirror?.state).toMatchObject({ replicationKey: ["Sequence"] });
    await expectSameRows();
    await sqlOn(w.sourceUrl, `ALTER TABLE "MixedCase" RENAME COLUMN "Sequence" TO "Seq No"`);
    expect((await job()).copied).toEqual([]);
    await expectSameRows();
  });

  it("int → bigint widens the destination column in place (no copy), and a value over 2^31 lands", async () => {
    await sqlOn(w.sourceUrl, `ALTER TABLE "MixedCase" ALTER COLUMN qty TYPE bigint`);
    await touch(`qty = 3000000000`, `id = 11`);
    const { copied, lines, load } = await job();
    expect(copied).toEqual([]);
    expect(lines).toContain(`Column "qty" of public."MixedCase" changed type from integer to bigint at the source: the destination column is widened in place (every value converts exactly), no copy needed`);
    expect(load).toMatchObject({ status: "succeeded", rowsDone: 2 });
    expect((await destColumns()).find((c) => c.name === "qty")?.type).toBe("bigint");
    const [big] = await sqlOn(w.destUrl, `SELECT qty::text AS q FROM ${dest} WHERE id = 11`);
    expect(big?.q).toBe("3000000000");
    await expectSameRows();
  });

  it("text → integer is no widening: the table is copied again with the new type, exact", async () => {
    await sqlOn(w.sourceUrl, `ALTER TABLE "MixedCase" ALTER COLUMN code TYPE integer USING code::integer`);
    const { copied, load } = await job();
    expect(copied).toHaveLength(1);
    expect(copied[0]).toContain(`Column "code" of public."MixedCase" changed type from text to integer`);
    expect(load).toMatchObject({ status: "succeeded", rowsDone: 200 });
    expect((await destColumns()).find((c) => c.name === "code")?.type).toBe("integer");
    const [v] = await sqlOn(w.destUrl, `SELECT code::text AS c FROM ${dest} WHERE id = 42`);
    expect(v?.c).toBe("42");
    await expectSameRows();
  });

  it("DROP COLUMN keeps the destination column and its values, and says so once", async () => {
    await sqlOn(w.sourceUrl, `ALTER TABLE "MixedCase" DROP COLUMN legacy`);
    const first = await job();
    expect(first.copied).toEqual([]);
    const said = `Column "legacy" was dropped from public."MixedCase" at the source: the destination keeps the column and the values it has (it gets no new ones)`;
    expect(first.lines).toContain(said);
    const [kept] = await sqlOn(w.destUrl, `SELECT legacy FROM ${dest} WHERE id = 3`);
    expect(kept?.legacy).toBe("old 3");
    await expectSameRows();
    const second = await job();
    expect(second.lines).not.toContain(said);

    // A new column under the kept one's name: the old values must not pass for its own.
    await sqlOn(w.sourceUrl, `ALTER TABLE "MixedCase" ADD COLUMN legacy text`);
    const third = await job();
    expect(third.copied).toEqual([
      `Column "legacy" of public."MixedCase" is new at the source under a name the destination table already has for other values, so the table is copied again to bring the existing rows' values`,
    ]);
    const [cleared] = await sqlOn(w.destUrl, `SELECT count(legacy)::text AS n FROM ${dest}`);
    expect(cleared?.n).toBe("0");
    await expectSameRows();
  });

  it("a table dropped and created again under the same name is noticed and copied again", async () => {
    await sqlOn(
      w.sourceUrl,
      `DROP TABLE "MixedCase";
       CREATE TABLE "MixedCase" (id int PRIMARY KEY, "Seq No" bigint NOT NULL, note text);
       INSERT INTO "MixedCase" SELECT g, g, 'second life ' || g FROM generate_series(150, 180) g;`,
    );
    await selectTable(w, { name: "MixedCase" }, { method: "key_based", replicationKey: ["Seq No"] });
    const { copied, load } = await job();
    expect(copied).toEqual([`public."MixedCase" is not the table the destination was copied from (it was dropped and created again, or another table took its name), so the table is copied again`]);
    expect(load).toMatchObject({ status: "succeeded", rowsDone: 31 });
    const [n] = await sqlOn(w.destUrl, `SELECT count(*)::text AS n, min(id)::text AS lo FROM ${dest}`);
    expect(n).toEqual({ n: "31", lo: "150" });
    await expectSameRows();
  });
});

describe("Full Table after a rename", () => {
  let w: TEngineWorld;
  beforeAll(async () => {
    w = await createEngineWorld({ name: "Full Shift" });
    await sqlOn(w.sourceUrl, `CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 20) g;`);
    await selectTable(w, { name: "items" }, { method: "full_table" });
  });
  afterAll(async () => {
    await w?.close();
  });

  it("the replaced table has the column under its new name only, with its values", async () => {
    expect((await runJob(w, { discover: refreshCatalog })).outcome?.outcome).toBe("succeeded");
    await sqlOn(w.sourceUrl, `ALTER TABLE items RENAME COLUMN label TO "Item Label"`);
    expect((await runJob(w, { discover: refreshCatalog })).outcome?.outcome).toBe("succeeded");
    const cols = await sqlOn<{ name: string }>(w.destUrl, `SELECT attname AS name FROM pg_attribute WHERE attrelid = '"full_shift".items'::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT LIKE '\\_sdc\\_%' ORDER BY attnum`);
    expect(cols.map((c) => c.name)).toEqual(["id", "Item Label"]);
    const { src, dst } = await compareTables(w, "public.items", "items", ["id", "Item Label"], ["id"]);
    expect(dst).toHaveLength(20);
    expect(dst).toEqual(src);
  });
});
