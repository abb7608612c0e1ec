/**
 * The source conformance suite: what every source connector must do, written against the contract
 * (lib/connectors/contracts.ts) and run for each factory below. A new source adds its factory (a fresh
 * database holding the table below, a way to write to it, the stream's setup) and passes these unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { offersCopyTextTable, type TChangeBatch, type TChangeStream, type TSource, type TSourceTable } from "@/lib/connectors/contracts";
import type { TLoadTableSpec, TRow } from "@/lib/connectors/types";
import { openPostgresSource } from "@/lib/connectors/postgres/source";
import type { TSourceConnection } from "@/lib/source/connection";
import pg from "pg";
import { createEmptyDatabase, withClient } from "../support/databases";
import { connectionParts } from "../support/url";

type TSourceUnderTest = {
  /** Opens the source; `stream`: set up to stream the table's changes. */
  open(stream?: boolean): Promise<TSource>;
  /** Runs statements at the source, each call its own transaction. */
  write(sql: string): Promise<void>;
  /** The stream's position now (what a first copy would record). */
  position(): Promise<string>;
  /** A snapshot held open until `release`, for readTable to read in. */
  exportSnapshot(): Promise<{ id: string; release(): Promise<void> }>;
  close(): Promise<void>;
};
type TSourceFactory = { name: string; create(ddl: string): Promise<TSourceUnderTest> };

const postgres: TSourceFactory = {
  name: "postgres",
  async create(ddl) {
    const db = await createEmptyDatabase("embedded", "srcconf");
    const conn: TSourceConnection = { ...connectionParts(db.url), sslMode: "disable" };
    const sql = (text: string) => withClient(db.url, (c) => c.query(text)).then(() => undefined);
    await sql(ddl);
    await sql(`CREATE PUBLICATION conf_pub FOR TABLE items`);
    await sql(`SELECT pg_create_logical_replication_slot('conf_slot', 'pgoutput')`);
    const sources: TSource[] = [];
    return {
      async open(stream) {
        const s = await openPostgresSource({ conn, database: db.name, batchRows: 2, stream: stream ? { slot: "conf_slot", plugin: "pgoutput", publication: "conf_pub", tables: [TABLE] } : undefined });
        sources.push(s);
        return s;
      },
      write: sql,
      position: () => withClient(db.url, (c) => c.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn")).then((r) => r.rows[0]!.lsn),
      async exportSnapshot() {
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
        const id = (await c.query<{ id: string }>("SELECT pg_export_snapshot() AS id")).rows[0]!.id;
        return { id, release: () => c.end() };
      },
      async close() {
        for (const s of sources) await s.close();
        await db.drop();
      },
    };
  },
};

const TABLE: TSourceTable = { schema: "public", name: "items" };
const DDL = `CREATE TABLE items (id integer PRIMARY KEY, k integer, t text, n numeric, at timestamptz);
  INSERT INTO items VALUES (1, 10, E'tab\\there\\nline \\\\ ünï', 1.50, '2024-02-29 12:34:56.789+00'), (2, 20, NULL, 'NaN', NULL),
    (3, 20, '', -0.001, 'infinity'), (4, 30, 'four', 4, NULL), (5, NULL, 'no key', NULL, NULL)`;
const SPEC: TLoadTableSpec = { tableKey: '"conf"."public"."items"', table: "items", columns: ["id", "k", "t", "n", "at"].map((name) => ({ name, type: "text" })), primaryKey: ["id"] };
const ROW = {
  1: ["1", "10", "tab\there\nline \\ ünï", "1.50", "2024-02-29 12:34:56.789+00"],
  2: ["2", "20", null, "NaN", null],
  3: ["3", "20", "", "-0.001", "infinity"],
  4: ["4", "30", "four", "4", null],
  5: ["5", null, "no key", null, null],
} satisfies Record<number, TRow>;

async function all(batches: AsyncIterable<readonly TRow[]>): Promise<TRow[]> {
  const out: TRow[] = [];
  for await (const b of batches) out.push(...b);
  return out;
}

/** The stream's batches; `commitWhile`: batches the consumer commits as it handles them (its destination wrote them). */
async function changes(stream: TChangeStream, commitWhile: (b: TChangeBatch) => boolean = () => false): Promise<TChangeBatch[]> {
  const out: TChangeBatch[] = [];
  let committing = true;
  for await (const b of stream) {
    out.push(b);
    committing &&= commitWhile(b);
    if (committing) stream.commit(b.position);
  }
  return out;
}

describe.each([postgres])("source conformance: $name", (factory) => {
  let u: TSourceUnderTest;
  let source: TSource;
  const byId = (rows: TRow[]) => [...rows].sort((a, b) => Number(a[0]) - Number(b[0]));

  beforeAll(async () => {
    u = await factory.create(DDL);
    source = await u.open();
  });
  afterAll(async () => {
    await u?.close();
  });

  it("check passes for a user who may read, and says what it tested", async () => {
    const res = await source.check();
    expect(res.ok).toBe(true);
    expect(res.items.length).toBeGreaterThan(0);
    for (const i of res.items) expect(i.label.length).toBeGreaterThan(0);
  });

  it("discover lists the table with its columns and key", async () => {
    const found = (await source.discover()).find((d) => d.table.schema === TABLE.schema && d.table.name === TABLE.name);
    expect(found?.columns.map((c) => c.name)).toEqual(["id", "k", "t", "n", "at"]);
    expect(found?.primaryKey).toEqual(["id"]);
    expect((await source.columns(TABLE)).map((c) => c.name)).toEqual(["id", "k", "t", "n", "at"]);
    expect(await source.primaryKey(TABLE)).toEqual(["id"]);
  });

  it("readTable yields every row as exact text, in batches, and the fast path the same rows", async () => {
    expect(byId(await all(source.readTable(TABLE, SPEC)))).toEqual(Object.values(ROW));
    if (offersCopyTextTable(source)) {
      const copy = await source.copyTable(TABLE, SPEC);
      let text = "";
      for await (const chunk of copy()) text += String(chunk);
      expect(text.split("\n").filter(Boolean)).toHaveLength(5);
    }
  });

  it("readTable reads a key range from a bookmark, ordered, in one snapshot; findKey bounds it; NULL keys apart", async () => {
    const snap = await u.exportSnapshot();
    try {
      await u.write(`INSERT INTO items VALUES (6, 25, 'after the snapshot', 6, NULL)`);
      const after = { columns: ["k"], after: ["10"], inclusive: false };
      const rows = await all(source.readTable(TABLE, SPEC, { snapshot: snap.id, range: after }));
      expect(byId(rows)).toEqual([ROW[2], ROW[3], ROW[4]]);
      expect(rows.map((r) => Number(r[1]))).toEqual([20, 20, 30]);
      const through = await all(source.readTable(TABLE, SPEC, { snapshot: snap.id, range: { ...after, after: ["10"], inclusive: true, through: ["20"] } }));
      expect(byId(through).map((r) => r[0])).toEqual(["1", "2", "3"]);
      expect(await all(source.readTable(TABLE, SPEC, { snapshot: snap.id, range: { columns: ["k"], nulls: true } }))).toEqual([ROW[5]]);
    } finally {
      await snap.release();
      await u.write(`DELETE FROM items WHERE id = 6`);
    }
    expect(await source.findKey(TABLE, { columns: ["k"], after: null, inclusive: true }, { rows: 2 })).toEqual(["20"]);
    expect(await source.findKey(TABLE, { columns: ["k"], after: ["20"], inclusive: false }, "last")).toEqual(["30"]);
    expect(await source.findKey(TABLE, { columns: ["k"], after: ["30"], inclusive: false }, "last")).toBeNull();
    const inOne = await source.inSnapshot(async () => ({ last: await source.findKey(TABLE, { columns: ["id"], after: null, inclusive: true }, "last"), rows: await all(source.readTable(TABLE, SPEC)) }));
    expect(inOne).toEqual({ last: ["5"], rows: expect.arrayContaining(Object.values(ROW)) });
  });

  it("streamChanges yields committed changes after a position, and resumes after the one committed", async () => {
    const from = await u.position();
    await u.write(`BEGIN; INSERT INTO items VALUES (7, 70, 'seven', 7, NULL); UPDATE items SET t = 'one!' WHERE id = 1; DELETE FROM items WHERE id = 4; COMMIT`);
    await u.write(`INSERT INTO items VALUES (8, 80, 'eight', 8, NULL)`);
    const streaming = await u.open(true);
    // The consumer commits the first transaction only (say its destination failed on the second).
    const got = await changes(streaming.streamChanges(from), (b) => b.changes.some((c) => c.kind === "delete"));
    // The rows written (and removed) by the tests before, committed before `from`, are not in it.
    expect(got.map((b) => b.changes.map((c) => c.kind))).toEqual([["upsert", "upsert", "delete"], ["upsert"]]);
    expect(got[0]!.table).toEqual(TABLE);
    const firstTx = got[0]!;
    const seven = firstTx.changes[0]!;
    expect(seven.kind === "upsert" && seven.values).toEqual({ id: "7", k: "70", t: "seven", n: "7", at: null });
    expect(firstTx.changes.at(-1)).toMatchObject({ kind: "delete", key: { id: "4" } });

    const again = await changes((await u.open(true)).streamChanges(from));
    expect(again.map((b) => b.changes.map((c) => (c.kind === "upsert" ? c.values.id : c.key.id)))).toEqual([["8"]]);
  });
});
