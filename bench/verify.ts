/**
 * Verify: an identical 1M-row × 11-column table compared between two databases on the same server
 * (source table and its destination copy with the _sdc columns), against the baseline of reading the
 * source once — `SELECT count(*)` plus a full `COPY t TO STDOUT` drained by the client — measured in the
 * same run. Verify runs in a child process (as the worker would) so its peak RSS is its own.
 * Goals: Verify ≤ 1.5× the baseline; peak RSS < 300 MB. The servers' CPU seconds per step are printed too,
 * and their ratio: Verify reads every row on BOTH sides (the baseline on one), so on a machine whose cores
 * are busy with other work its wall-clock ratio tends to that CPU ratio instead of overlapping the sides.
 * Env: BENCH_PG_URL (superuser URL; else a throwaway embedded PostgreSQL), BENCH_VERIFY_ROWS (default
 * 1000000; 10000000 for the 10M case), BENCH_RUNS (default 2; the best of each side is compared).
 */
import { formatCpu, sampleProcessCpu } from "./process-cpu";
import { withDb, sql, startBenchServer, runBenchChild, runBenchEntry } from "./support";
import { pipeline } from "node:stream/promises";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";

const ROWS = Number(process.env.BENCH_VERIFY_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const RATIO_GOAL = 1.5;
const RSS_GOAL_MB = 300;
const COLUMNS = ["id", "qty", "big", "price", "score", "label", "note", "at", "day", "flag", "uid"];
const COLUMN_SQL = `id bigint PRIMARY KEY, qty integer, big bigint, price numeric(12,2), score double precision,
  label text, note varchar(80), at timestamptz, day date, flag boolean, uid uuid`;
const SDC_SQL = `_sdc_extracted_at timestamptz, _sdc_received_at timestamptz, _sdc_batched_at timestamptz,
  _sdc_sequence bigint, _sdc_table_version bigint, _sdc_deleted_at timestamptz`;

type TPayload = { srcUrl: string; dstUrl: string };
type TChildResult = { ms: number; cpuMs: number; maxRssMb: number; status: string; sourceRows: number; destinationRows: number; peakRowsHeld: number; ranges: number };

/** The baseline: count(*) and a full COPY out of the source table, the bytes drained by the client. */
async function baseline(srcUrl: string): Promise<number> {
  const c = new pg.Client({ connectionString: srcUrl });
  await c.connect();
  try {
    const t0 = performance.now();
    await c.query("SELECT count(*) FROM t");
    await pipeline(c.query(copyTo("COPY t TO STDOUT")), new Writable({ write: (_chunk, _enc, done) => done() }));
    return performance.now() - t0;
  } finally {
    await c.end();
  }
}

function connectionOf(url: string) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1) };
}

async function child(): Promise<void> {
  const { srcUrl, dstUrl } = JSON.parse(process.env.BENCH_CHILD!) as TPayload;
  const { verifyTables, newVerifyStats } = await import("@/lib/verify");
  const src = connectionOf(srcUrl);
  const stats = newVerifyStats();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const [r] = await verifyTables({
    source: { ...src, sslMode: "disable" },
    destination: { ...connectionOf(dstUrl), ssl: false },
    schema: "bench",
    integrationId: "00000000-0000-0000-0000-000000000000",
    tables: [{ tableKey: `"${src.database}"."public"."t"`, database: src.database, sourceSchema: "public", sourceTable: "t", destinationTable: "t", columns: COLUMNS, primaryKey: ["id"], method: "full_table" }],
    stats,
  });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const result: TChildResult = {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    status: r?.error ? `error: ${r.error}` : (r?.status ?? "none"),
    sourceRows: r?.sourceRows ?? 0,
    destinationRows: r?.destinationRows ?? 0,
    peakRowsHeld: stats.peakRowsHeld,
    ranges: stats.rangesHashed,
  };
  console.log(JSON.stringify(result));
}

async function fill(srcUrl: string, dstUrl: string): Promise<void> {
  await sql(
    srcUrl,
    `CREATE TABLE t (${COLUMN_SQL});
     INSERT INTO t SELECT g, (g % 1000)::int, g::bigint * 7919, round((g % 100000) / 7.0, 2), g / 3.0,
       'label ' || md5(g::text), 'a note about row ' || g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
       date '2000-01-01' + (g % 9000), g % 2 = 0, md5(g::text)::uuid
     FROM generate_series(1, ${ROWS}) g`,
  );
  await sql(dstUrl, `CREATE SCHEMA bench; CREATE TABLE bench.t (${COLUMN_SQL}, ${SDC_SQL})`);
  const s = new pg.Client({ connectionString: srcUrl });
  const d = new pg.Client({ connectionString: dstUrl });
  await s.connect();
  await d.connect();
  try {
    await pipeline(s.query(copyTo("COPY t TO STDOUT")), d.query(copyFrom(`COPY bench.t (${COLUMNS.join(", ")}) FROM STDIN`)));
  } finally {
    await s.end();
    await d.end();
  }
  await sql(srcUrl, "VACUUM ANALYZE t");
  await sql(dstUrl, "VACUUM ANALYZE bench.t");
}

async function main(): Promise<void> {
  const server = await startBenchServer("verify", { max_wal_size: "4GB", shared_buffers: "256MB" });
  const suffix = Math.random().toString(36).slice(2, 8);
  const names = { src: `bench_vsrc_${suffix}`, dst: `bench_vdst_${suffix}` };
  for (const n of Object.values(names)) await sql(server.url, `CREATE DATABASE ${n}`);
  const srcUrl = withDb(server.url, names.src);
  const dstUrl = withDb(server.url, names.dst);
  try {
    console.log(`Generating ${ROWS.toLocaleString("en")} rows × 11 columns, copied to the destination…`);
    await fill(srcUrl, dstUrl);
    const [size] = (await sql(srcUrl, `SELECT pg_size_pretty(pg_total_relation_size('t')) AS s`)).rows as { s: string }[];
    const base: number[] = [];
    const ours: TChildResult[] = [];
    const cpus: { base: number; verify: number }[] = [];
    const label = (cmd: string) => (cmd.includes(names.src) ? "source" : cmd.includes(names.dst) ? "destination" : null);
    for (let i = 0; i < RUNS; i++) {
      const baseCpu = sampleProcessCpu(label);
      base.push(await baseline(srcUrl));
      const bc = baseCpu.stop();
      const oursCpu = sampleProcessCpu(label);
      const r = await runBenchChild<TChildResult>(fileURLToPath(import.meta.url), { srcUrl, dstUrl } satisfies TPayload);
      const oc = oursCpu.stop();
      cpus.push({ base: (bc.source ?? 0) + (bc.destination ?? 0), verify: (oc.source ?? 0) + (oc.destination ?? 0) });
      if (r.status !== "identical" || r.sourceRows !== ROWS || r.destinationRows !== ROWS) throw new Error(`Verify did not find the copy identical: ${JSON.stringify(r)}`);
      ours.push(r);
      console.log(`  run ${i + 1}: count + COPY out ${(base[i]! / 1000).toFixed(2)} s · Verify ${(r.ms / 1000).toFixed(2)} s (${r.ranges} ranges) · peak RSS ${r.maxRssMb.toFixed(0)} MB`);
      console.log(`         server CPU: baseline ${formatCpu(bc, ["source", "destination", "machine"])} | Verify ${formatCpu(oc, ["source", "destination", "machine"])}, its process ${(r.cpuMs / 1000).toFixed(2)} s`);
    }
    const cpuRatios = cpus.map((c) => c.verify / c.base);
    const bestBase = Math.min(...base);
    const bestOurs = Math.min(...ours.map((r) => r.ms));
    const peak = Math.max(...ours.map((r) => r.maxRssMb));
    const ratio = bestOurs / bestBase;
    console.log(`Verify, ${ROWS.toLocaleString("en")} identical rows (${size?.s} at the source):`);
    console.log(`  count(*) + COPY TO STDOUT   ${(bestBase / 1000).toFixed(2)} s`);
    console.log(`  Verify                      ${(bestOurs / 1000).toFixed(2)} s   ratio ${ratio.toFixed(2)}× (goal ≤ ${RATIO_GOAL}×) ${ratio <= RATIO_GOAL ? "OK" : "OVER"}`);
    if (cpus.every((c) => c.base > 0)) console.log(`  server CPU, Verify (both sides) / baseline: ${cpuRatios.map((r) => `${r.toFixed(2)}×`).join(", ")}`);
    console.log(`  Verify peak RSS             ${peak.toFixed(0)} MB (goal < ${RSS_GOAL_MB} MB) ${peak < RSS_GOAL_MB ? "OK" : "OVER"}`);
  } finally {
    for (const n of Object.values(names)) await sql(server.url, `DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => undefined);
    await server.stop();
  }
}

runBenchEntry(main, child);
