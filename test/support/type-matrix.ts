/**
 * Every type family a PostgreSQL source has, with its edge values (NaN, ±infinity, BC dates, arrays with
 * NULLs, TOASTed values, enums, domains, composites, extension types): the table and its rows.
 */
export const MATRIX_DDL = `
CREATE EXTENSION IF NOT EXISTS hstore;
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'very "happy"');
CREATE DOMAIN short_code AS varchar(5) CHECK (VALUE <> '');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE TYPE pair AS (a int, b text);
CREATE TABLE matrix (
  id int PRIMARY KEY,
  i2 smallint, i4 integer, i8 bigint,
  num numeric, num_p numeric(10,3),
  r4 real, r8 double precision,
  cash money, flag boolean,
  t text, vc varchar(20), ch char(6),
  bin bytea, u uuid, j json, jb jsonb, x xml,
  d date, ts timestamp, tstz timestamptz, tm time, tmtz timetz, iv interval,
  ip inet, net cidr, mac macaddr, bits bit(8), vbits varbit(16),
  arr_i int[], arr_t text[], arr_2d int[][],
  m mood, m_arr mood[], code short_code, pos positive_int, codes short_code[],
  ir int4range, tr tstzrange, nr numrange,
  hs hstore, ci citext, tv tsvector, pt point, pr pair
);
`;

export const MATRIX_ROWS = `INSERT INTO matrix VALUES
 (1, -32768, -2147483648, -9223372036854775808, 'NaN', 1234567.891, 'NaN', 'NaN', '-92233720368547758.08', true,
  E'tab\\there\\nnewline \\\\ backslash "quote'' ünï€ode', 'varchar', 'ab', E'\\\\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '{"a": [1, 2.50, null], "b": "x"}', '{"z": 1, "a": {"b": [true, null]}}', '<r a="1">text &amp; more</r>',
  '4713-01-01 BC', '0001-01-01 00:00:00 BC', '-infinity', '00:00:00', '23:59:59.999999+14', '-1 year -2 mons +3 days -04:05:06.789',
  '::1', '10.0.0.0/8', '08:00:2b:01:02:03', B'10101010', B'1', '{1,NULL,3}', ARRAY['a', NULL, 'c d', '"q"', E'back\\\\slash', 'NULL'],
  '{{1,2},{NULL,4}}', 'very "happy"', '{sad,"very \\"happy\\""}', 'abcde', 1, '{ab,NULL,cd}',
  '[1,10)', '[2024-01-01 00:00:00+00,infinity)', 'empty', 'a=>1, "b c"=>NULL', 'MiXeD CaSe', 'a fat cat sat on a mat', '(1.5,-2.25)', '(1,"x, y")'),
 (2, 32767, 2147483647, 9223372036854775807, '-0.000000000000000000001', -0.001, 'Infinity', '-Infinity', '92233720368547758.07', false,
  '', ' ', 'abcdef', '', '00000000-0000-0000-0000-000000000000', 'null', '[]', '<!-- c --><x/>',
  '5874897-12-31', '294276-12-31 23:59:59.999999', 'infinity', '24:00:00', '00:00:00-15:59', '178000000 years',
  'fe80::1/64', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', B'00000000', B'', '{}', '{}', '{}', 'sad', '{}', 'x', 2147483647, '{}',
  'empty', '(,)', '(-1.5,2.5]', '', '', '', '(0,0)', '(,)'),
 (3, 0, 0, 0, 3.14159265358979323846264338327950288419716939937510, 0, 1.17549435e-38, 2.2250738585072014e-308, 0, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.789012+05:30', NULL, NULL, '1 microsecond',
  NULL, NULL, NULL, NULL, NULL, NULL, '{NULL}', '{{{1}},{{2}}}', NULL, '{NULL}', NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, 1, 2, 3, 1e-300::numeric, 9999999.999, 3.4028235e38, 1.7976931348623157e308, 0.01, true,
  repeat('long text ', 50000), 'x', 'y', decode(repeat('ab', 100000), 'hex'), gen_random_uuid(), repeat('[1]', 1)::json, jsonb_build_object('n', 1.0), '<a/>',
  '2000-01-01', '2000-01-01 00:00:00', '2000-01-01 00:00:00+00', '12:00', '12:00+00', '-178000000 years',
  '0.0.0.0', '0.0.0.0/0', '00:00:00:00:00:00', B'11111111', B'1111111111111111', '{-1}', ARRAY[E'\\x01'], '{{1}}', 'ok', '{ok,ok}', 'z', 7, NULL,
  '[-2147483648,2147483647)', NULL, '[0,0]', NULL, NULL, 'a:1A b:2B', '(1e-300,1e300)', NULL);
`;
