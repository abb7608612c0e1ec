/**
 * The destination conformance suite: what every destination connector must do, written against the
 * contract (lib/connectors/contracts.ts) and run for each factory below. A new destination adds its
 * factory (open one on a fresh namespace; read a table back as text) and passes these unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { offersCopyText, type TDestination } from "@/lib/connectors/contracts";
import { destinationKindOf } from "@/lib/connectors/destination-kinds";
import { encodeCopyRow } from "@/lib/connectors/postgres/destination/copy-text";
import { TEXT_SESSION_SQL } from "@/lib/connectors/postgres/destination/text-session";
import type { TChange, TLoadTableSpec, TReplicationState, TRow, TRowBatches } from "@/lib/connectors/types";
import { destinations } from "@/db/schema";
import { Readable } from "node:stream";
import { createAppDatabase, createEmptyDatabase, openTestLoader, withClient, type TTestAppDb } from "../support/databases";
import { createTeamWithUser } from "../support/fixtures";
import { waitFor } from "../support/wait";

/** A destination under test, and how to read one of its tables back (values as text, null = NULL). */
type TDestinationUnderTest = { destination: TDestination; read(table: string, columns: string[]): Promise<(string | null)[][]>; close(): Promise<void> };
type TDestinationFactory = { name: string; open(namespace: string): Promise<TDestinationUnderTest> };

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

const postgres: TDestinationFactory = {
  name: "postgres",
  async open(namespace) {
    const db = await createEmptyDatabase("embedded", "conf");
    const destination = await openTestLoader(db.url, namespace, "00000000-0000-0000-0000-00000000c0f0");
    return {
      destination,
      read: (table, columns) =>
        withClient(db.url, async (c) => {
          await c.query(TEXT_SESSION_SQL);
          const res = await c.query({ text: `SELECT ${columns.map((k) => `${quote(k)}::text`).join(", ")} FROM ${quote(namespace)}.${quote(table)} ORDER BY 1`, rowMode: "array" });
          return res.rows as (string | null)[][];
        }),
      async close() {
        await destination.close();
        await db.drop();
      },
    };
  },
};

/** Each column with values in their text form (the contract's one representation), NULL included. */
const TYPED: { name: string; type: string; values: (string | null)[] }[] = [
  { name: "id", type: "integer", values: ["1", "2", "3"] },
  { name: "i8", type: "bigint", values: ["-9223372036854775808", "9223372036854775807", null] },
  { name: "num", type: "numeric", values: ["NaN", "-0.000000000000000000001", "1234567.891"] },
  { name: "r8", type: "double precision", values: ["Infinity", "-1.5", null] },
  { name: "t", type: "text", values: ['tab\there\nnewline \\ backslash "quote\' ünï€ode', "", null] },
  { name: "bin", type: "bytea", values: ["\\x00ff10", "\\x", null] },
  { name: "flag", type: "boolean", values: ["true", "false", null] },
  { name: "d", type: "date", values: ["4713-01-01 BC", "2024-02-29", "infinity"] },
  { name: "tstz", type: "timestamp with time zone", values: ["2024-02-29 12:34:56.789+00", "-infinity", null] },
  { name: "iv", type: "interval", values: ["-1 years -2 mons +3 days -04:05:06.789", "00:00:00", null] },
  { name: "u", type: "uuid", values: ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", null, "00000000-0000-0000-0000-000000000000"] },
  { name: "jb", type: "jsonb", values: ['{"a": [1, 2.5, null], "b": "x"}', "[]", null] },
  { name: "arr", type: "text[]", values: ['{a,NULL,"c d","\\"q\\""}', "{}", null] },
];
const SPEC: TLoadTableSpec = { tableKey: '"src"."public"."typed"', table: "Typed", columns: TYPED.map(({ name, type }) => ({ name, type })), primaryKey: ["id"] };
const COLUMNS = TYPED.map((c) => c.name);
const ROWS: TRow[] = TYPED[0]!.values.map((_, i) => TYPED.map((c) => c.values[i] ?? null));
const META = { extractedAt: "2025-06-01T00:00:00.000Z" };

/** Batches of rows; `pause`: after the first batch, waits for it (`paused` tells when it is waiting). */
function batches(rows: TRow[], pause?: Promise<void>, fail?: Error): TRowBatches & { paused: boolean } {
  const out = {
    paused: false,
    async *[Symbol.asyncIterator]() {
      yield rows.slice(0, 1);
      if (pause) {
        out.paused = true;
        await pause;
      }
      if (fail) throw fail;
      yield rows.slice(1);
    },
  };
  return out;
}

describe.each([postgres])("destination conformance: $name", (factory) => {
  let d: TDestinationUnderTest;
  const state = (n: number): TReplicationState => ({ bookmark: n, note: `state ${n}` });
  const load = { tableVersion: 1, meta: META };
  const readRows = (spec: TLoadTableSpec = SPEC) => d.read(spec.table, spec.columns.map((c) => c.name));
  const spec = (table: string): TLoadTableSpec => ({ ...SPEC, table, tableKey: `"src"."public"."${table}"` });

  beforeAll(async () => {
    d = await factory.open("Conformance");
    await d.destination.prepare(); // a second prepare (the factory's was the first): idempotent
  });
  afterAll(async () => {
    await d?.close();
  });

  it("types round-trip exactly through replaceTableRows, upsertRows and applyChanges", async () => {
    await d.destination.replaceTableRows(spec("rt_replace"), batches(ROWS), { ...load, state: state(1) });
    await d.destination.ensureTable(spec("rt_upsert"));
    await d.destination.upsertRows(spec("rt_upsert"), batches(ROWS), { ...load, state: state(1) });
    await d.destination.ensureTable(spec("rt_changes"));
    const changes: TChange[] = ROWS.map((r) => ({ kind: "upsert", values: Object.fromEntries(COLUMNS.map((c, i) => [c, r[i] ?? null])), extractedAt: META.extractedAt }));
    await d.destination.applyChanges(spec("rt_changes"), changes, { state: state(1), tableVersion: 1 });
    for (const table of ["rt_replace", "rt_upsert", "rt_changes"]) expect(await readRows(spec(table)), table).toEqual(ROWS);
  });

  it("upsertRows is idempotent, and its state commits with the rows; a failed load changes neither", async () => {
    const s = spec("idem_upsert");
    await d.destination.ensureTable(s);
    const first = await d.destination.upsertRows(s, batches(ROWS), { ...load, state: state(1) });
    const again = await d.destination.upsertRows(s, batches(ROWS), { ...load, state: state(2) });
    expect([first.rowsInserted, again.rowsInserted, again.rowsUpdated]).toEqual([3, 0, 3]);
    expect(await readRows(s)).toEqual(ROWS);
    expect(await d.destination.readState(s.tableKey)).toEqual(state(2));

    const bad: TRow[] = [ROWS[0]!.map((v, i) => (i === 0 ? "4" : v)), ROWS[1]!.map((v, i) => (i === 0 ? "not a number" : v))];
    await expect(d.destination.upsertRows(s, batches(bad), { ...load, state: state(3) })).rejects.toThrow();
    expect(await readRows(s)).toEqual(ROWS);
    expect(await d.destination.readState(s.tableKey)).toEqual(state(2));
  });

  it("applyChanges is idempotent: replaying changes converges to the same rows, deletes keep the row marked", async () => {
    const s = spec("idem_changes");
    await d.destination.ensureTable(s);
    const at = META.extractedAt;
    const changes: TChange[] = [
      { kind: "upsert", values: { id: "1", t: "one", i8: "10" }, extractedAt: at },
      { kind: "upsert", values: { id: "2", t: "two" }, extractedAt: at },
      { kind: "upsert", values: { id: "1", i8: "11" }, extractedAt: at },
      { kind: "delete", key: { id: "2" }, deletedAt: "2025-06-02T00:00:00.000Z", extractedAt: at },
    ];
    const read = () => d.read(s.table, ["id", "t", "i8", "_sdc_deleted_at"]);
    await d.destination.applyChanges(s, changes, { state: state(1), tableVersion: 1 });
    const once = await read();
    await d.destination.applyChanges(s, changes, { state: state(1), tableVersion: 1 });
    expect(await read()).toEqual(once);
    expect(once).toEqual([
      ["1", "one", "11", null],
      ["2", "two", null, "2025-06-02 00:00:00+00"],
    ]);
    expect(await d.destination.readState(s.tableKey)).toEqual(state(1));
  });

  it("replaceTableRows is atomic: readers see the old table and state until the new one commits; a failure keeps them", async () => {
    const s = spec("atomic");
    const old: TRow[] = [ROWS[2]!];
    await d.destination.replaceTableRows(s, batches(old), { ...load, state: state(1) });
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const rows = batches(ROWS, gate);
    const replacing = d.destination.replaceTableRows(s, rows, { ...load, state: state(2) });
    await waitFor(async () => rows.paused, 30_000, "the first batch to be written");
    expect(await readRows(s)).toEqual(old);
    release();
    await replacing;
    expect(await readRows(s)).toEqual(ROWS);
    expect(await d.destination.readState(s.tableKey)).toEqual(state(2));

    await expect(d.destination.replaceTableRows(s, batches(old, undefined, new Error("the source went away")), { ...load, state: state(3) })).rejects.toThrow(/went away/);
    expect(await readRows(s)).toEqual(ROWS);
    expect(await d.destination.readState(s.tableKey)).toEqual(state(2));
  });

  it("the COPY text fast path, where offered, lands what the neutral path lands", async () => {
    const dest = d.destination;
    expect(offersCopyText(dest)).toBe(factory.name === "postgres");
    if (!offersCopyText(dest)) return;
    const s = spec("fast_copy");
    await dest.replaceTable(s, () => Readable.from(ROWS.map((r) => encodeCopyRow(r))), { ...load, state: state(1) });
    expect(await readRows(s)).toEqual(ROWS);
  });
});

describe("the destination's kind is stored", () => {
  let app: TTestAppDb;
  beforeAll(async () => {
    app = await createAppDatabase();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("a destination row is of kind postgres with no settings of its own; an unknown kind is refused by name", async () => {
    const { team } = await createTeamWithUser(app.db);
    const [row] = await app.db.insert(destinations).values({ teamId: team.id, host: "h", username: "u", passwordEnc: "x", database: "w" }).returning();
    expect(row && destinationKindOf(row)).toEqual({ kind: "postgres", config: {} });
    expect(() => destinationKindOf({ kind: "duckdb", config: {} })).toThrow(/kind "duckdb"/);
    expect(() => destinationKindOf({ kind: "postgres", config: { host: "elsewhere" } })).toThrow(/settings are not valid/);
  });
});
