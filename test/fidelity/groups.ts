/**
 * The fidelity matrix's rows: one source table per type group (`fx_<group>`), each with its edge values.
 * Every table also has `touch` (the column an "unchanged TOAST" update sets) and `big`, a 12.8 kB text
 * stored out of line (STORAGE EXTERNAL), so every group passes through the path where pgoutput and
 * wal2json leave unchanged TOASTed values out and the destination keeps them.
 */
export type TTypeGroup = {
  name: string;
  /** Column definitions after `id`, `touch` and `big`. */
  columns: [string, string][];
  /** One SQL tuple body (the group's columns, in order) per row; by source major. */
  rows: (major: number) => string[];
  /** pgoutput sends these columns with binary values (PostgreSQL 14+); otherwise text values are read. */
  binary: boolean;
  minMajor?: number;
  /** Columns stored out of line uncompressed (their own values TOASTed, not only `big`). */
  external?: string[];
};

/** Types, extensions and domains the groups use (each source database). */
export const FIDELITY_SETUP_SQL = String.raw`
CREATE EXTENSION IF NOT EXISTS hstore;
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'very "happy"');
CREATE DOMAIN short_code AS varchar(5) CHECK (VALUE <> '');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE DOMAIN int_list AS integer[];
CREATE TYPE pair AS (a int, b text);
`;

const bigText = (seed: string) => `(SELECT string_agg(md5(${seed} || g::text), ' ') FROM generate_series(1, 10000) g)`;

export const TYPE_GROUPS: TTypeGroup[] = [
  {
    name: "integers",
    columns: [["i2", "smallint"], ["i4", "integer"], ["i8", "bigint"], ["o", "oid"]],
    rows: () => ["-32768, -2147483648, -9223372036854775808, 0", "32767, 2147483647, 9223372036854775807, 4294967295", "0, 0, 0, NULL", "NULL, NULL, NULL, NULL"],
    binary: true,
  },
  {
    name: "numeric",
    columns: [["n", "numeric"], ["np", "numeric(10,3)"], ["n1000", "numeric"]],
    rows: (major) => [
      "'NaN', 1234567.891, repeat('9', 1000)::numeric",
      "-0.000000000000000000001, -0.001, ('-0.' || repeat('0', 998) || '1')::numeric",
      "1e-300::numeric, 0, ('1' || repeat('0', 999))::numeric",
      "1.500, NULL, ('-' || repeat('12345', 200) || '.' || repeat('6789', 250))::numeric",
      "NULL, NULL, NULL",
      ...(major >= 14 ? ["'Infinity', 9999999.999, '-Infinity'"] : []),
    ],
    binary: true,
  },
  {
    name: "float",
    columns: [["r4", "real"], ["r8", "double precision"]],
    rows: () => ["'NaN', 'NaN'", "'Infinity', '-Infinity'", "'-Infinity', 'Infinity'", "'-0', '-0'", "1.17549435e-38, 5e-324", "3.4028235e38, 1.7976931348623157e308", "0.1, 0.1", "1e-45, 2.2250738585072014e-308", "NULL, NULL"],
    binary: true,
  },
  { name: "money", columns: [["cash", "money"]], rows: () => ["'-92233720368547758.08'", "'92233720368547758.07'", "0.01", "NULL"], binary: false },
  { name: "boolean", columns: [["flag", "boolean"]], rows: () => ["true", "false", "NULL"], binary: true },
  {
    name: "text",
    columns: [["t", "text"], ["vc", "varchar(20)"], ["ch", "char(6)"], ["nm", "name"]],
    rows: () => [
      String.raw`E'tab\there\nnewline \\ backslash "quote'' ünï€ode 🚀', 'varchar', 'ab', 'pg_class'`,
      "'', ' ', 'abcdef', ''",
      String.raw`'\N', 'NULL', '\', 'null'`,
      String.raw`E'\r\n\x01', '€€€€€€€€€€€€€€€€€€€€', 'ü', 'ünï'`,
      "NULL, NULL, NULL, NULL",
    ],
    binary: true,
  },
  {
    name: "bytea",
    columns: [["b", "bytea"]],
    rows: () => [String.raw`'\x'`, String.raw`'\x00ff10'`, String.raw`'\x5c00'`, "decode(repeat('ab', 100000), 'hex')", "NULL"],
    binary: true,
    external: ["b"],
  },
  {
    name: "uuid",
    columns: [["u", "uuid"]],
    rows: () => ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'", "NULL"],
    binary: true,
  },
  {
    name: "json/jsonb",
    columns: [["j", "json"], ["jb", "jsonb"]],
    rows: () => [
      `'{"a": [1, 2.50, null], "b": "x"}', '{"z": 1, "a": {"b": [true, null]}}'`,
      String.raw`'{"é": "ünï€ode 🚀", "esc": "\u00e9\n\t\"\\", "nul": "\u0000"}', '{"é": "ünï€ode 🚀", "esc": "\u00e9\n\t\"\\", "rocket": "\ud83d\ude80", "big": 1e400}'`,
      `'  {"dup": 1,   "dup": 2}  ', '{"dup": 1, "dup": 2, "n": 1.0, "m": -0.0}'`,
      `'null', 'null'`,
      `'[]', '[]'`,
      `'"s"', '""'`,
      "(SELECT json_agg(g)::text FROM generate_series(1, 20000) g)::json, (SELECT jsonb_agg(md5(g::text)) FROM generate_series(1, 3000) g)",
      "NULL, NULL",
    ],
    binary: true,
    external: ["j", "jb"],
  },
  { name: "xml", columns: [["x", "xml"]], rows: () => [`'<r a="1">text &amp; more</r>'`, "'<!-- c --><x/>'", "''", String.raw`E'<a>ü\n</a>'`, "NULL"], binary: false },
  {
    name: "date/time",
    columns: [["d", "date"], ["ts", "timestamp"], ["tstz", "timestamptz"], ["tm", "time"], ["tmtz", "timetz"], ["iv", "interval"]],
    rows: (major) => [
      "'4713-01-01 BC', '4713-01-01 00:00:00 BC', '4713-01-01 00:00:00+00 BC', '00:00:00', '23:59:59.999999+14', '-1 year -2 mons +3 days -04:05:06.789'",
      "'5874897-12-31', '294276-12-31 23:59:59.999999', '294276-12-31 23:59:59.999999+00', '24:00:00', '00:00:00-15:59', '178000000 years'",
      "'infinity', 'infinity', 'infinity', '23:59:59.999999', '12:00:00-00:00:07', '1 microsecond'",
      "'-infinity', '-infinity', '-infinity', '12:34:56.000001', '01:02:03.04-03', '-178000000 years'",
      "'2024-02-29', '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.789012+05:30', '00:00:00.000001', '00:00:00+00', '0'",
      "'0001-01-01', '0001-01-01 00:00:00 BC', '1900-01-01 00:00:00+00', NULL, '23:59:59.999999-15:59', '1 day -1 second'",
      "NULL, NULL, NULL, NULL, NULL, NULL",
      ...(major >= 17 ? ["'2000-01-01', '2000-01-01 00:00:00', '2000-01-01 00:00:00+00', '12:00', '12:00+01', 'infinity'", "NULL, NULL, NULL, NULL, NULL, '-infinity'"] : []),
    ],
    binary: true,
  },
  {
    name: "network",
    columns: [["ip", "inet"], ["net", "cidr"], ["mac", "macaddr"], ["mac8", "macaddr8"]],
    rows: () => [
      "'::1', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05'",
      "'192.168.0.1/24', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', '08:00:2b:01:02:03'",
      "'::ffff:1.2.3.4', '::/0', '00:00:00:00:00:00', NULL",
      "'2001:db8:0:0:1:0:0:1', '0.0.0.0/0', NULL, NULL",
      "NULL, NULL, NULL, NULL",
    ],
    binary: true,
  },
  { name: "bit/varbit", columns: [["bits", "bit(8)"], ["vb", "varbit(16)"]], rows: () => ["B'10101010', B''", "B'00000000', B'1'", "B'11111111', B'1111111111111111'", "NULL, NULL"], binary: true },
  {
    name: "arrays",
    columns: [["a_i", "int[]"], ["a_t", "text[]"], ["a_2d", "int[][]"], ["a_n", "numeric[]"], ["a_tz", "timestamptz[]"], ["a_b", "bytea[]"], ["a_jb", "jsonb[]"]],
    rows: () => [
      String.raw`'{1,NULL,3}', ARRAY['a', NULL, 'c d', '"q"', E'back\\slash', 'NULL', '', '{x}', 'a,b', 'ünï'], '{{1,2},{NULL,4}}', '{1.50,NaN,NULL}', '{"2024-01-01 00:00:00+00",infinity,NULL}', ARRAY['\x00ff'::bytea, NULL, '\x'], ARRAY['{"a": "ü"}'::jsonb, NULL]`,
      "'{}', '{}', '{{{1}},{{2}}}', '{}', '{}', '{}', '{}'",
      "'{NULL}', '{NULL}', '[0:1]={5,6}', '{-0.001}', NULL, NULL, NULL",
      "'[2:3][-1:0]={{1,2},{3,4}}', ARRAY[repeat('x', 3000)], '{{NULL,NULL},{NULL,NULL}}', NULL, '{-infinity}', NULL, NULL",
      "(SELECT array_agg(g) FROM generate_series(1, 50000) g), NULL, NULL, NULL, NULL, NULL, NULL",
      "NULL, NULL, NULL, NULL, NULL, NULL, NULL",
    ],
    binary: true,
    external: ["a_i"],
  },
  { name: "enum", columns: [["m", "mood"]], rows: () => [`'very "happy"'`, "'sad'", "'ok'", "NULL"], binary: true },
  { name: "enum[]", columns: [["m_arr", "mood[]"]], rows: () => [String.raw`'{sad,"very \"happy\""}'`, "'{}'", "'{NULL,ok}'", "NULL"], binary: false },
  {
    name: "domain",
    columns: [["code", "short_code"], ["pos", "positive_int"], ["il", "int_list"]],
    rows: () => ["'abcde', 1, '{1,NULL}'", "'x', 2147483647, '{}'", "NULL, NULL, NULL"],
    binary: true,
  },
  { name: "domain[]", columns: [["codes", "short_code[]"]], rows: () => ["'{ab,NULL,cd}'", "'{}'", "NULL"], binary: false },
  {
    name: "ranges",
    columns: [["ir", "int4range"], ["i8r", "int8range"], ["nr", "numrange"], ["tr", "tsrange"], ["tzr", "tstzrange"], ["dr", "daterange"]],
    rows: () => [
      "'[1,10)', '[9223372036854775806,9223372036854775807)', '(-1.5,2.5]', '[2024-01-01 00:00:00,2024-02-01 12:30:00.5)', '[2024-01-01 00:00:00+00,infinity)', '[2024-01-01,2024-02-01)'",
      "'empty', '(,0)', 'empty', '(,infinity]', '(,)', '[infinity,infinity]'",
      "'(,)', '(,)', '[0,0]', '[-infinity,2024-01-01)', 'empty', '(,)'",
      "'[-2147483648,2147483647)', NULL, '(-0.001,NaN]', NULL, NULL, '(2024-01-01,2024-02-01]'",
      "NULL, NULL, NULL, NULL, NULL, NULL",
    ],
    binary: true,
  },
  {
    name: "multiranges",
    columns: [["imr", "int4multirange"], ["dmr", "datemultirange"]],
    rows: () => ["'{[1,3),[5,7)}', '{}'", "'{}', '{[2024-01-01,2024-02-01),[2024-03-01,infinity)}'", "'{(,)}', NULL", "NULL, NULL"],
    binary: false,
    minMajor: 14,
  },
  {
    name: "hstore",
    columns: [["hs", "hstore"]],
    rows: () => [String.raw`'a=>1, "b c"=>NULL, "q\"uote"=>"x\\y", "ü"=>""'`, "''", "(SELECT hstore(array_agg('k' || g), array_agg(md5(g::text))) FROM generate_series(1, 3000) g)", "NULL"],
    binary: false,
  },
  { name: "citext", columns: [["ci", "citext"]], rows: () => ["'MiXeD CaSe'", "''", "'ÜnÏ'", "NULL"], binary: false },
  { name: "tsvector", columns: [["tv", "tsvector"], ["tq", "tsquery"]], rows: () => ["'a fat cat sat on a mat', 'fat & (rat | !cat)'", "'a:1A b:2B', ''", "'', NULL", "NULL, NULL"], binary: false },
  {
    name: "geometric",
    columns: [["pt", "point"], ["bx", "box"], ["pg", "polygon"]],
    rows: () => ["'(1.5,-2.25)', '(1,1),(0,0)', '((0,0),(1,1),(1,0))'", "'(1e-300,1e300)', '(0,0),(0,0)', '((0,0))'", "NULL, NULL, NULL"],
    binary: false,
  },
  { name: "composite", columns: [["pr", "pair"]], rows: () => [`'(1,"x, y")'`, "'(,)'", `'(,"")'`, "NULL"], binary: false },
  {
    name: "TOASTed text",
    columns: [["tx", "text"], ["tc", "text"]],
    rows: () => [`${bigText("'x'")}, repeat('long text ', 50000)`, `${bigText("'y'")}, NULL`, "'short', 'short'", "NULL, NULL"],
    binary: true,
    external: ["tx"],
  },
];

/** The groups a source of this major can hold. */
export function groupsFor(major: number): TTypeGroup[] {
  return TYPE_GROUPS.filter((g) => major >= (g.minMajor ?? 0));
}

export function tableOf(g: TTypeGroup): string {
  return `fx_${g.name.replace(/[^a-z0-9]+/gi, "_").toLowerCase()}`;
}

/** CREATE TABLE of a group (its big values out of line). */
export function createTableSql(g: TTypeGroup): string {
  const t = tableOf(g);
  const cols = g.columns.map(([n, ty]) => `${n} ${ty}`).join(", ");
  const external = ["big", ...(g.external ?? [])].map((c) => `ALTER TABLE ${t} ALTER COLUMN ${c} SET STORAGE EXTERNAL;`).join(" ");
  return `CREATE TABLE ${t} (id int PRIMARY KEY, touch int NOT NULL DEFAULT 0, big text, ${cols}); ${external}`;
}

/** INSERT of the group's rows, ids from `firstId`. */
export function insertRowsSql(g: TTypeGroup, major: number, firstId: number): string {
  const names = g.columns.map(([n]) => n).join(", ");
  const tuples = g.rows(major).map((r, i) => `(${firstId + i}, repeat(md5('${firstId + i}'), 400), ${r})`);
  return `INSERT INTO ${tableOf(g)} (id, big, ${names}) VALUES ${tuples.join(",\n")};`;
}

/**
 * Every row takes the values of the next one (the last takes the first's), then the first row's key
 * changes: updates carrying each edge value, and a key change.
 */
export function rotateRowsSql(g: TTypeGroup): string {
  const t = tableOf(g);
  const set = ["big", ...g.columns.map(([n]) => n)].map((c) => `${c} = o.${c}`).join(", ");
  return `UPDATE ${t} AS t SET ${set} FROM ${t} AS o WHERE o.id = CASE WHEN t.id = (SELECT max(id) FROM ${t}) THEN (SELECT min(id) FROM ${t}) ELSE t.id + 1 END;
UPDATE ${t} SET id = id + 1000 WHERE id = (SELECT min(id) FROM ${t});`;
}
