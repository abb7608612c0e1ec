import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { isoToPgMicros } from "@/lib/connectors/postgres/destination/copy-binary";
import { BINARY_READABLE_TYPES, binaryToText } from "@/lib/replication/log-based/decode/binary-values";
import { REPLICATION_SESSION_OPTIONS } from "@/lib/replication/log-based/slot/session-options";
import { createEmptyDatabase } from "../support/databases";

/**
 * binaryToText against PostgreSQL itself: each value's binary form (what a binary pgoutput stream sends)
 * must read back as exactly the text the server prints for it in the replication session's settings.
 */
const CASES: Record<string, string[]> = {
  boolean: ["true", "false"],
  bytea: ["'\\x'", "'\\x00ff10'", "'\\xdeadbeef'"],
  bigint: ["0", "1", "-1", "4294967295", "4294967296", "-2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808"],
  smallint: ["0", "-32768", "32767"],
  integer: ["0", "-2147483648", "2147483647", "42"],
  text: ["''", "E'tab\\there\\nnew \\\\ ünï€ode 🚀'", "'\\N'"],
  json: [`'{"a": [1, 2.50, null]}'`, "'null'"],
  real: ["0", "'-0'", "1", "0.1", "3.4028235e38", "1.17549435e-38", "1e-45", "123456", "1234567", "0.0001", "0.00001", "'NaN'", "'Infinity'", "'-Infinity'", "-2.5"],
  "double precision": ["0", "'-0'", "0.1", "1e15", "1e14", "123456789012345", "1234567890123456", "0.0001", "0.00001", "5e-324", "1.7976931348623157e308", "-1.5e-7", "2.5", "'NaN'", "'Infinity'", "'-Infinity'", "100", "1e21"],
  character: ["'ab'", "''"],
  "character varying": ["'varchar'", "''"],
  date: ["'2024-02-29'", "'0001-01-01'", "'0001-12-31 BC'", "'4713-01-01 BC'", "'5874897-12-31'", "'infinity'", "'-infinity'", "'1999-12-31'", "'2000-01-01'"],
  "timestamp without time zone": ["'2024-01-01 00:00:00'", "'2024-01-01 12:34:56.5'", "'1999-12-31 23:59:59.999999'", "'0001-01-01 00:00:00 BC'", "'294276-12-31 23:59:59.999999'", "'4713-01-01 00:00:00 BC'", "'infinity'", "'-infinity'", "'1970-01-01 00:00:00.000001'"],
  "timestamp with time zone": ["'2024-01-01 00:00:00+00'", "'2024-06-01 12:34:56.123456+02'", "'1900-01-01 00:00:00+00'", "'0044-03-15 12:00:00+00 BC'", "'infinity'", "'-infinity'"],
  numeric: ["0", "1", "-1", "0.1", "10000", "12345678.000100", "-0.000000000000000000001", "1234567.891", "1e20", "'NaN'", "'Infinity'", "'-Infinity'", "0.00", "99999999999999999999.99999999999999999999"],
  "numeric(10,3)": ["1234567.891", "-0.001", "0"],
  uuid: ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'"],
  jsonb: [`'{"z": 1, "a": {"b": [true, null]}}'`, "'[]'"],
  name: ["'pg_class'", "''"],
  oid: ["0", "4294967295", "16384"],
  macaddr: ["'08:00:2b:01:02:03'", "'ff:ff:ff:ff:ff:ff'"],
  "time without time zone": ["'00:00:00'", "'23:59:59.999999'", "'24:00:00'", "'12:34:56.5'"],
  "time with time zone": ["'00:00:00+00'", "'23:59:59.999999+14'", "'00:00:00-15:59'", "'12:00:00+05:30'", "'12:00:00-00:00:07'", "'01:02:03.04-03'"],
  interval: [
    "'0'",
    "'1 year 2 mons 3 days 04:05:06.789'",
    "'-1 year -2 mons +3 days -04:05:06.789'",
    "'1 day -1 second'",
    "'-1 day +1 second'",
    "'178000000 years'",
    "'-0.000001 seconds'",
    "'1 mon'",
    "'-1 mon'",
    "'100 hours'",
    "'1 year -1 day'",
    "'13 mons'",
    "'-13 mons 2 days'",
    // PostgreSQL 17+: infinite intervals (every field at its extreme).
    "'infinity'",
    "'-infinity'",
  ],
  "integer[]": ["'{1,NULL,3}'", "'{}'", "'{{1,2},{NULL,4}}'", "'[0:1]={5,6}'", "'[2:3][-1:0]={{1,2},{3,4}}'"],
  "text[]": [
    `ARRAY['a', NULL, 'c d', '"q"', E'back\\\\slash', 'NULL', 'null', '', '{x}', 'a,b', E'tab\\there', 'ünï€ode']::text[]`,
    "'{}'::text[]",
  ],
  "boolean[]": ["'{t,f,NULL}'"],
  "bytea[]": [`ARRAY['\\x00ff'::bytea, NULL, '\\x'::bytea]`],
  "bigint[]": ["'{-9223372036854775808,0,9223372036854775807}'"],
  "smallint[]": ["'{1,-2}'"],
  "json[]": [`ARRAY['{"a": 1}'::json, 'null'::json]`],
  "real[]": ["'{0.1,NaN,-Infinity}'"],
  "double precision[]": ["'{0.1,1e21,-0}'"],
  "character[]": ["'{ab,\"c \"}'::char(3)[]"],
  "character varying[]": ["'{x,\"y z\"}'::varchar(5)[]"],
  "date[]": ["'{2024-02-29,infinity,\"0044-03-15 BC\"}'"],
  "timestamp without time zone[]": ["'{\"2024-01-01 12:34:56.5\",-infinity}'"],
  "timestamp with time zone[]": ["'{\"2024-01-01 00:00:00+00\",NULL}'"],
  "numeric[]": ["'{1.50,NaN,-0.001}'"],
  "uuid[]": ["'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'"],
  "interval[]": ["'{\"1 day\",NULL}'", "'{infinity,-infinity}'"],
  "time without time zone[]": ["'{12:00:00}'"],
  "time with time zone[]": ["'{12:00:00+02}'"],
  "macaddr[]": ["'{08:00:2b:01:02:03}'"],
  "oid[]": ["'{1,2}'"],
  "name[]": ["'{a,\"b c\"}'"],
  "jsonb[]": [`ARRAY['{"z": 1, "a": 2}'::jsonb, '"s t"'::jsonb]`],
  inet: [
    "'192.168.0.1'",
    "'10.0.0.0/8'",
    "'0.0.0.0/0'",
    "'255.255.255.255/32'",
    "'::1'",
    "'::'",
    "'2001:db8::1/64'",
    "'2001:db8:0:0:1:0:0:1'",
    "'2001:0:0:1:0:0:0:1'",
    "'fe80::1:2:3:4'",
    "'1:0:0:0:0:0:0:0'",
    "'1:2:3:4:5:6:7:0'",
    "'1:0:3:0:5:0:7:0'",
    "'::ffff:192.0.2.1'",
    "'::192.0.2.1'",
    "'::1.2.3.4/120'",
    "'::ffff:0:0'",
    "'::0.0.0.2'",
    "'0:0:0:0:0:1:0:0'",
    "'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'",
  ],
  cidr: ["'192.168.0.0/16'", "'10.1.2.3/32'", "'2001:db8::/32'", "'::/0'", "'::1/128'", "'::ffff:1.2.3.0/120'"],
  macaddr8: ["'08:00:2b:01:02:03:04:05'", "'08:00:2b:01:02:03'"],
  "bit(8)": ["B'10100001'", "B'00000000'"],
  "bit varying(20)": ["B''", "B'1'", "B'101010101'", "B'11111111111111111111'"],
  int4range: ["'[1,10)'", "'empty'", "'(,5]'", "'[3,)'", "'(,)'", "'[-2147483648,0]'"],
  int8range: ["'[9223372036854775806,9223372036854775807)'", "'(,0)'"],
  numrange: ["'[1.5,2.50]'", "'(,)'", "'(-0.001,NaN]'"],
  tsrange: ["'[2024-01-01 00:00:00,2024-02-01 12:30:00.5)'", "'(,infinity]'", "'[-infinity,2024-01-01)'"],
  tstzrange: ["'[2024-01-01 00:00:00+00,)'", "'empty'"],
  daterange: ["'[2024-01-01,2024-02-01)'", "'(2024-01-01,2024-02-01]'", "'[infinity,infinity]'", "'(,)'"],
  "inet[]": ["'{192.168.0.1,NULL,::1,2001:db8::/64}'"],
  "cidr[]": ["'{10.0.0.0/8}'"],
  "macaddr8[]": ["'{08:00:2b:01:02:03:04:05}'"],
  "bit(3)[]": ["'{101,010}'"],
  "bit varying[]": ["'{1,\"\",0101}'"],
  "int4range[]": [`ARRAY['[1,2)'::int4range, 'empty', NULL]`],
  "int8range[]": [`ARRAY['[1,2)'::int8range]`],
  "numrange[]": [`ARRAY['(1.5,2]'::numrange]`],
  "tsrange[]": [`ARRAY['[2024-01-01,2024-01-02)'::tsrange]`],
  "tstzrange[]": [`ARRAY['[2024-01-01 00:00+00,)'::tstzrange]`],
  "daterange[]": [`ARRAY['[2024-01-01,2024-01-05)'::daterange]`],
};

/** Rows of a binary COPY, each field as its byte range. */
function binaryCopyFields(data: Buffer): { start: number; len: number }[][] {
  const rows: { start: number; len: number }[][] = [];
  let p = 11 + 4;
  p += 4 + data.readInt32BE(p);
  for (;;) {
    const n = data.readInt16BE(p);
    p += 2;
    if (n === -1) return rows;
    const row: { start: number; len: number }[] = [];
    for (let i = 0; i < n; i++) {
      const len = data.readInt32BE(p);
      p += 4;
      row.push({ start: p, len });
      p += Math.max(len, 0);
    }
    rows.push(row);
  }
}

describe("binary values of a binary pgoutput stream, read back as the server's text", () => {
  let db: { url: string; drop(): Promise<void> };
  let client: pg.Client;

  beforeAll(async () => {
    db = await createEmptyDatabase("embedded", "bin");
    client = new pg.Client({ connectionString: db.url, options: REPLICATION_SESSION_OPTIONS });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  async function binaryAndText(type: string, literals: string[]): Promise<{ oid: number; decoded: string[]; text: string[] }> {
    const select = literals.map((l, i) => `SELECT ${i} AS n, (${l})::${type} AS v`).join(" UNION ALL ");
    const chunks: Buffer[] = [];
    const stream = client.query(copyTo(`COPY (SELECT v FROM (${select}) s ORDER BY n) TO STDOUT (FORMAT binary)`));
    for await (const c of stream) chunks.push(c as Buffer);
    const data = Buffer.concat(chunks);
    // The type's output function, as a text stream sends it (a ::text cast differs for boolean and character).
    const text = await client.query<{ v: string }>({ text: `SELECT v FROM (${select}) s ORDER BY n`, types: { getTypeParser: () => (v: string) => v } });
    const oid = (await client.query<{ oid: number }>(`SELECT '${type}'::regtype::oid::int AS oid`)).rows[0]!.oid;
    const decoded = binaryCopyFields(data).map(([f]) => binaryToText(oid, data, f!.start, f!.len));
    return { oid, decoded, text: text.rows.map((r) => r.v) };
  }

  it.each(Object.entries(CASES))("%s", async (type, literals) => {
    const { oid, decoded, text } = await binaryAndText(type, literals);
    expect(BINARY_READABLE_TYPES.has(oid)).toBe(true);
    expect(decoded).toEqual(text);
  });

  it("every readable type is covered here", () => {
    const covered = new Set(Object.keys(CASES).map((t) => t.replace(/\(\d+(,\d+)?\)/, "")));
    expect([...BINARY_READABLE_TYPES.values()].filter((t) => !covered.has(t))).toEqual([]);
  });

  it("an ISO commit time becomes the timestamptz binary value the server reads back", async () => {
    for (const iso of ["2026-01-01T00:00:00.123456Z", "2026-11-21T09:01:17.863Z", "1999-12-31T23:59:59Z"]) {
      const us = isoToPgMicros(iso);
      const r = await client.query<{ us: string }>(`SELECT ((extract(epoch FROM $1::timestamptz) - 946684800) * 1000000)::bigint::text AS us`, [iso]);
      expect(us.toString()).toBe(r.rows[0]!.us);
    }
  });
});
