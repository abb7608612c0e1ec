import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteIdent } from "@/lib/naming/identifiers";
import { enableLogBasedReplication } from "@/lib/replication/log-based";
import { createEngineWorld, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";

enableLogBasedReplication();

/**
 * pgoutput in binary mode (embedded PostgreSQL 17): a table whose every column type can be read back is
 * streamed with binary values, its rows copied into staging with COPY BINARY. Every value must land as
 * the source has it, through every path: rows copied as they are, values merged one by one (unchanged
 * TOAST, a key change), a column whose type changed, and a column of a type that cannot be read back.
 */
describe("Log-based Incremental through pgoutput with binary values", () => {
  let w: TEngineWorld;
  const cols = ["id", "i2", "i8", "num", "num_p", "r4", "r8", "flag", "t", "vc", "ch", "bin", "u", "j", "jb", "d", "ts", "tstz", "tags", "nums", "big", "m", "code", "pos", "ints", "tm", "tmtz", "iv", "ip", "net", "mac8", "bits", "vbits", "ir", "tr", "dr", "ips"];
  const dest = () => `${quoteIdent(w.schema)}.${quoteIdent("readable")}`;

  beforeAll(async () => {
    w = await createEngineWorld({ source: "embedded", name: "Log binary" });
    await sqlOn(
      w.sourceUrl,
      `CREATE TYPE mood AS ENUM ('sad', 'ok', 'very "happy"');
       CREATE DOMAIN short_code AS varchar(5) CHECK (VALUE <> '');
       CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
       CREATE DOMAIN int_list AS integer[];
       CREATE TABLE readable (
         id bigint PRIMARY KEY, i2 smallint, i8 bigint, num numeric, num_p numeric(10,3), r4 real, r8 double precision, flag boolean,
         t text, vc varchar(20), ch char(6), bin bytea, u uuid, j json, jb jsonb, d date, ts timestamp, tstz timestamptz,
         tags text[], nums int[], big text, m mood, code short_code, pos positive_int, ints int_list, tm time, tmtz timetz, iv interval,
         ip inet, net cidr, mac8 macaddr8, bits bit(8), vbits varbit(16), ir int4range, tr tstzrange, dr daterange, ips inet[]);
       -- Stored out of line, uncompressed: an update that does not touch it sends it as unchanged TOAST.
       ALTER TABLE readable ALTER COLUMN big SET STORAGE EXTERNAL;
       INSERT INTO readable (id, t, big) SELECT g, 'row ' || g, repeat('toast ' || g, 2000) FROM generate_series(1, 5) g;`,
    );
    await selectTable(w, { name: "readable" }, { method: "log_based" });
    expect((await runJob(w)).error).toBeNull();
  });
  afterAll(async () => {
    await w?.close();
  });

  async function expectIdentical() {
    const list = cols.map((c) => `"${c}"::text AS "${c}"`).join(", ");
    const src = await sqlOn(w.sourceUrl, `SELECT ${list} FROM readable ORDER BY id`);
    const dst = await sqlOn(w.destUrl, `SELECT ${list} FROM ${dest()} WHERE _sdc_deleted_at IS NULL ORDER BY id`);
    expect(dst).toHaveLength(src.length);
    for (let i = 0; i < src.length; i++) for (const c of cols) expect({ id: src[i]!.id, c, v: dst[i]![c] }).toEqual({ id: src[i]!.id, c, v: src[i]![c] });
  }
  async function logOf(runId: string): Promise<string[]> {
    const lines = await sqlOn(w.app.url, `SELECT message FROM extraction_log_lines WHERE job_run_id = $1 ORDER BY id`, [runId]);
    return lines.map((l) => l.message!);
  }

  it("inserts, updates leaving TOAST unchanged, a key change and deletes land exactly, from binary values (enums as text, domains as their base type)", async () => {
    await sqlOn(
      w.sourceUrl,
      `INSERT INTO readable VALUES
         (10, -32768, -9223372036854775808, 'NaN', 1234567.891, 'NaN', '-Infinity', true, E'tab\\there\\nnew \\\\ "q" ünï€ode 🚀', '', 'ab', '\\x00ff10',
          'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2.50, null]}', '{"z": 1, "a": {"b": [true, null]}}', '4713-01-01 BC', '0001-01-01 00:00:00 BC', '-infinity',
          ARRAY['a', NULL, 'c d', '"q"', 'NULL', '', '{x}'], '{{1,2},{NULL,4}}', NULL),
         (11, 32767, 9223372036854775807, '-0.000000000000000000001', -0.001, 3.4028235e38, 5e-324, false, '\\N', 'varchar', 'abcdef', '',
          '00000000-0000-0000-0000-000000000000', 'null', '[]', '5874897-12-31', '294276-12-31 23:59:59.999999', 'infinity', '{}', '[0:1]={5,6}', 'x'),
         (12, 0, 4294967296, 99999999999999999999.99999999999999999999, 0, 0.1, 0.1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          '2024-02-29', '2024-01-01 12:34:56.5', '2024-06-01 12:34:56.123456+02', NULL, NULL, NULL);
       UPDATE readable SET i2 = 7, t = 'changed ' || id WHERE id IN (1, 2);
       UPDATE readable SET id = 50, r8 = 2.5 WHERE id = 3;
       DELETE FROM readable WHERE id IN (4, 11);
       UPDATE readable SET vc = 'after insert' WHERE id = 10;
       INSERT INTO readable (id, tags, nums, tstz, big, m, code, pos, ints) VALUES (13, ARRAY['x y', NULL, 'back\\slash'], '[2:3]={7,8}', '2024-01-01 00:00:00+00', repeat('toasted ', 5000), 'very "happy"', 'ab c', 7, '{1,NULL}');
       UPDATE readable SET tm = '12:34:56.5', tmtz = '00:00:00+14', iv = '1 day -1 second' WHERE id = 13;
       UPDATE readable SET m = 'ok', code = 'xyz', pos = 1, ints = '{}', tm = '24:00:00', tmtz = '01:02:03.5-03:30', iv = '-1 year -2 mons +3 days -04:05:06.789' WHERE id IN (10, 12);
       UPDATE readable SET i2 = 13 WHERE id = 13;
       UPDATE readable SET ip = '2001:db8::1/64', net = '10.0.0.0/8', mac8 = '08:00:2b:01:02:03:04:05', bits = B'10100001', vbits = B'101',
         ir = '[1,10)', tr = '[2024-01-01 00:00:00+00,)', dr = 'empty', ips = '{192.168.0.1,NULL,::ffff:1.2.3.4}' WHERE id IN (10, 13);
       INSERT INTO readable (id, ip, net, ir, dr) VALUES (14, '::1', '::/0', '(,5]', '[2024-01-01,2024-02-01)');`,
    );
    const job = await runJob(w);
    expect(job.error).toBeNull();
    expect((await logOf(job.run.id)).some((l) => /\(pgoutput, binary values\)/.test(l))).toBe(true);
    await expectIdentical();
    const toast = await sqlOn(w.destUrl, `SELECT id, length(big)::text AS n FROM ${dest()} WHERE id IN (1, 2, 50) ORDER BY id`);
    expect(toast).toEqual([
      { id: "1", n: String("toast 1".length * 2000) },
      { id: "2", n: String("toast 2".length * 2000) },
      { id: "50", n: String("toast 3".length * 2000) },
    ]);
    const deleted = await sqlOn(w.destUrl, `SELECT id, t, (_sdc_deleted_at IS NOT NULL)::text AS gone FROM ${dest()} WHERE id IN (3, 4, 11) ORDER BY id`);
    expect(deleted).toEqual([
      { id: "3", t: "row 3", gone: "true" },
      { id: "4", t: "row 4", gone: "true" },
      { id: "11", t: "\\N", gone: "true" },
    ]);
  });

  it("a column whose type widened is widened at the destination and keeps loading", async () => {
    await sqlOn(w.sourceUrl, `ALTER TABLE readable ALTER COLUMN i2 TYPE integer; UPDATE readable SET i2 = 30000 WHERE id = 1; INSERT INTO readable (id, i2, t) VALUES (60, -5, 'after type change')`);
    const job = await runJob(w);
    expect(job.error).toBeNull();
    expect((await logOf(job.run.id)).some((l) => /"i2" .* changed type from smallint to integer at the source: the destination column is widened to integer/.test(l))).toBe(true);
    await expectIdentical();
  });

  it("a column of a type without a binary reader in the stream (added and dropped before the job): the read goes on as text and nothing is lost", async () => {
    // The job's start sees no such column (binary values are asked for); the stream still carries it.
    await sqlOn(w.sourceUrl, `INSERT INTO readable (id, t) VALUES (70, 'before the new column')`);
    await sqlOn(w.sourceUrl, `ALTER TABLE readable ADD COLUMN pt point; INSERT INTO readable (id, t, pt) VALUES (71, 'with a point', '(1,2)'); UPDATE readable SET pt = '(3.5,-4)', t = 'moved on' WHERE id = 1`);
    await sqlOn(w.sourceUrl, `ALTER TABLE readable DROP COLUMN pt; INSERT INTO readable (id, t) VALUES (72, 'after the drop')`);
    const job = await runJob(w);
    expect(job.error).toBeNull();
    const log = await logOf(job.run.id);
    expect(log.some((l) => /Reading changes from slot .* \(pgoutput, binary values\)/.test(l))).toBe(true);
    expect(log.some((l) => /type oid 600 .* reading on from .* with text values/.test(l))).toBe(true);
    await expectIdentical();
    const rows = await sqlOn(w.destUrl, `SELECT id, pt FROM ${dest()} WHERE id IN (1, 70, 71, 72) ORDER BY id`);
    expect(rows).toEqual([
      { id: "1", pt: "(3.5,-4)" },
      { id: "70", pt: null },
      { id: "71", pt: "(1,2)" },
      { id: "72", pt: null },
    ]);
    // The next job reads binary values again.
    await sqlOn(w.sourceUrl, `UPDATE readable SET t = 'next job' WHERE id = 71`);
    const next = await runJob(w);
    expect(next.error).toBeNull();
    expect((await logOf(next.run.id)).some((l) => /\(pgoutput, binary values\)/.test(l))).toBe(true);
    await expectIdentical();
  });
});
