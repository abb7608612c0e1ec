import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteIdent } from "@/lib/naming/identifiers";
import { columnHash, rowHashSql, type TColumnHash } from "@/lib/verify/row-hash";
import { createEngineWorld, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";
import { verifyWorld } from "../support/verify-harness";

/** Two values of one column type (SQL expressions) and whether Verify must see them as the same. */
type TPair = { type: string; a: string; b: string; same: boolean; why: string };

const NEG_NAN = (t: string) => `('Infinity'::${t} - 'Infinity'::${t})`; // arithmetic leaves a NaN with its sign bit set

const PAIRS: TPair[] = [
  { type: "bigint", a: "-1", b: "4294967295", same: false, why: "int8's own hash folds the high half into the low one" },
  { type: "bigint", a: "0", b: "4294967297", same: false, why: "folded alike" },
  { type: "timestamp without time zone", a: "'2000-01-01 00:00:00'", b: "'2000-01-01 01:11:34.967297'", same: false, why: "folded alike" },
  { type: "timestamp with time zone", a: "'2000-01-01 00:00:00+00'", b: "'2000-01-01 01:11:34.967297+00'", same: false, why: "folded alike" },
  { type: "time without time zone", a: "'00:00:00'", b: "'01:11:34.967297'", same: false, why: "folded alike" },
  { type: "numeric", a: "'1.0'", b: "'1.00'", same: false, why: "numeric's hash ignores the display scale" },
  { type: "numeric", a: "'NaN'", b: "NULL", same: false, why: "numeric's hash of NaN is the NULL's 0" },
  { type: "numeric", a: "'0'", b: "NULL", same: false, why: "numeric's hash of 0 is the NULL's 0" },
  { type: "numeric", a: "'Infinity'", b: "'NaN'", same: false, why: "numeric's hash of every special value is 0" },
  { type: "numeric(12,2)", a: "'-0.00'", b: "'0.00'", same: true, why: "numeric has no negative zero" },
  { type: "double precision", a: "'-0'", b: "'0'", same: false, why: "float's hash treats -0 as 0" },
  { type: "double precision", a: "'0'", b: "NULL", same: false, why: "float's hash of 0 is the NULL's 0" },
  { type: "double precision", a: "'NaN'", b: "NULL", same: false, why: "NaN is a value" },
  { type: "double precision", a: NEG_NAN("float8"), b: "'NaN'", same: true, why: "every NaN prints NaN" },
  { type: "real", a: NEG_NAN("float4"), b: "'NaN'", same: true, why: "every NaN prints NaN" },
  { type: "real", a: "'-0'", b: "'0'", same: false, why: "float's hash treats -0 as 0" },
  { type: "text", a: "''", b: "NULL", same: false, why: "empty is not NULL" },
  { type: "bytea", a: "'\\x'", b: "NULL", same: false, why: "empty is not NULL" },
  { type: "integer", a: "0", b: "NULL", same: false, why: "0 is not NULL" },
  { type: "boolean", a: "false", b: "NULL", same: false, why: "false is not NULL" },
  { type: "uuid", a: "'00000000-0000-0000-0000-000000000000'", b: "NULL", same: false, why: "nil is not NULL" },
  { type: "interval", a: "'1 day'", b: "'24 hours'", same: false, why: "interval equality calls them equal" },
  { type: "jsonb", a: `'{"a": 1.0}'`, b: `'{"a": 1.00}'`, same: false, why: "jsonb equality compares numbers by value" },
];

/** A one-column row's hash as Verify computes it for a column of this type on both sides. */
function hashOf(type: string, value: string): { text: string; form: TColumnHash } {
  const form = columnHash({ type, builtin: true }, { type, builtin: true });
  const h = rowHashSql({ columns: ["c"], columnTypes: [type], columnHashes: [form], hash: "record" });
  return { text: `SELECT ${h}::text AS h FROM (SELECT (${value})::${type} AS c) AS t`, form };
}

describe("Verify's row hash on PostgreSQL 14+: exact column forms", () => {
  let w: TEngineWorld;

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Verify hash" });
  });
  afterAll(async () => {
    await w?.close();
  });

  it("the types' own hashes conflate these values (what the column forms must avoid)", async () => {
    const [r] = await sqlOn<Record<string, string>>(
      w.sourceUrl,
      `SELECT (hashint8extended(-1, 0) = hashint8extended(4294967295, 0))::text AS int8_fold,
              (hash_numeric_extended('NaN', 0) = 0 AND hash_numeric_extended('1.0', 0) = hash_numeric_extended('1.00', 0))::text AS numeric_hash,
              (hashfloat8extended('-0', 0) = hashfloat8extended('0', 0))::text AS float_zero,
              (float8send(${NEG_NAN("float8")}) <> float8send('NaN'))::text AS nan_bits`,
    );
    expect(r).toEqual({ int8_fold: "true", numeric_hash: "true", float_zero: "true", nan_bits: "true" });
  });

  it.each(PAIRS)("$type: $a vs $b (same: $same; $why)", async ({ type, a, b, same }) => {
    const [ha] = await sqlOn<{ h: string }>(w.sourceUrl, hashOf(type, a).text);
    const [hb] = await sqlOn<{ h: string }>(w.sourceUrl, hashOf(type, b).text);
    if (same) expect(ha!.h).toBe(hb!.h);
    else expect(ha!.h).not.toBe(hb!.h);
  });

  it("hashes a column by its text when the two sides' types differ or the type is not built in", () => {
    expect(columnHash({ type: "integer", builtin: true }, { type: "bigint", builtin: true })).toBe("text");
    expect(columnHash({ type: "mood", builtin: false }, { type: "text", builtin: true })).toBe("text");
    expect(columnHash({ type: "public.uuid", builtin: false }, { type: "public.uuid", builtin: false })).toBe("text");
    expect(columnHash({ type: "numeric(12,2)", builtin: true }, { type: "numeric(12,2)", builtin: true })).toBe("send");
  });
});

describe("Verify of edge values and of uuid, numeric and composite text keys, ranges a few rows long", () => {
  let w: TEngineWorld;
  const opts = { rangeRows: 7, leafRows: 3 };
  const dest = (t: string) => `${quoteIdent(w.schema)}.${quoteIdent(t)}`;

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Verify edges" });
    await sqlOn(
      w.sourceUrl,
      `CREATE TABLE edges (id int PRIMARY KEY, n numeric, f double precision, r real, b bigint, ts timestamp, tz timestamptz, t text, d date);
       INSERT INTO edges VALUES
         (1, 1.0, '-0', '-0', -1, '2000-01-01 00:00:00', '2000-01-01 00:00:00+00', '', '2000-01-01'),
         (2, 'NaN', ${NEG_NAN("float8")}, ${NEG_NAN("float4")}, 0, '-infinity', 'infinity', NULL, '4713-01-01 BC'),
         (3, 0, 0, 'Infinity', 9223372036854775807, '1999-12-31 23:59:59.999999', '1970-01-01 00:00:00+00', 'é', 'infinity'),
         (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
         (5, 123456789012345678901234567890.123456789, 1e308, 1e-38, -9223372036854775808, '0001-01-01', '2024-02-29 12:34:56.789012+05:30', 'x', '2000-02-29');
       CREATE TABLE by_uuid (id uuid PRIMARY KEY, v int);
       INSERT INTO by_uuid SELECT md5(g::text)::uuid, g FROM generate_series(1, 60) g;
       CREATE TABLE by_numeric (id numeric(20,5) PRIMARY KEY, v int);
       INSERT INTO by_numeric SELECT g / 7.0, g FROM generate_series(-30, 30) g;
       CREATE TABLE by_text (region text, city text, n int, PRIMARY KEY (region, city));
       INSERT INTO by_text SELECT r, c || g, g FROM unnest(ARRAY['a', 'B', 'b', 'É', 'e', 'Z', 'z', ' ']) r, unnest(ARRAY['x', 'Y', 'é']) c, generate_series(1, 3) g;`,
    );
    for (const name of ["edges", "by_uuid", "by_numeric", "by_text"]) await selectTable(w, { name }, { method: "full_table" });
    expect((await runJob(w)).error).toBeNull();
  });
  afterAll(async () => {
    await w?.close();
  });

  it("is Identical for every table, a source NaN with its sign bit set included", async () => {
    const v = await verifyWorld(w, opts);
    for (const [name, rows] of [["edges", 5], ["by_uuid", 60], ["by_numeric", 61], ["by_text", 72]] as const) {
      expect(v.byTable(name)).toMatchObject({ status: "identical", sourceRows: rows, destinationRows: rows, compared: "ranges", differing: 0 });
    }
  });

  it("finds each destination value changed into one that compares equal or hashes alike, by its key", async () => {
    await sqlOn(
      w.destUrl,
      `UPDATE ${dest("edges")} SET ts = '2000-01-01 01:11:34.967297' WHERE id = 1;
       UPDATE ${dest("edges")} SET f = NULL, b = 4294967297 WHERE id = 2;
       UPDATE ${dest("edges")} SET f = '-0' WHERE id = 3;
       UPDATE ${dest("edges")} SET n = 'NaN' WHERE id = 4;
       UPDATE ${dest("edges")} SET n = 123456789012345678901234567890.1234567890 WHERE id = 5;
       UPDATE ${dest("by_uuid")} SET v = -v WHERE id = md5('33')::uuid;
       UPDATE ${dest("by_numeric")} SET v = 0 WHERE id = 0.14286;
       UPDATE ${dest("by_text")} SET n = 0 WHERE region = 'É' AND city = 'Y2';
       DELETE FROM ${dest("by_text")} WHERE region = 'b' AND city = 'é3';`,
    );
    const v = await verifyWorld(w, opts);
    const keys = (name: string) => v.byTable(name).firstKeys.map((k) => `${k.kind} ${Object.values(k.key).join("|")}`).sort();
    expect(keys("edges")).toEqual(["changed 1", "changed 2", "changed 3", "changed 4", "changed 5"]);
    expect(keys("by_uuid")).toEqual([`changed ${(await sqlOn<{ u: string }>(w.sourceUrl, `SELECT md5('33')::uuid::text AS u`))[0]!.u}`]);
    expect(keys("by_numeric")).toEqual(["changed 0.14286"]);
    expect(keys("by_text")).toEqual(["changed É|Y2", "missing b|é3"]);
  });
});
