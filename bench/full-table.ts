/**
 * Full Table: 1M rows × 11 mixed columns (~150 MB as COPY text) from one database to another on the same
 * server, through the real extract job (COPY out → COPY into a new table → primary key → atomic swap,
 * state saved in the same transaction), against the raw pipe `COPY t TO STDOUT | COPY t FROM STDIN`
 * between the same two databases (into a table with the same primary key), measured in the same run.
 * The job runs in a child process (as the worker does) so its peak RSS is its own.
 * Goals: ours ≤ 1.2× the pipe's time; peak RSS < 300 MB.
 * Env: BENCH_PG_URL (superuser URL; else a throwaway embedded PostgreSQL), BENCH_ROWS (default 1000000),
 * BENCH_RUNS (default 2; the best of each side is compared).
 */
import { withDb, sql, startBenchServer, runBenchChild, runBenchEntry, runBenchJob, seedBenchIntegration } from "./support";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";

process.env.APP_SECRET ??= "bench-app-secret-that-is-long-enough-0123456789";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const RATIO_GOAL = 1.2;
const RSS_GOAL_MB = 300;

const TABLE_SQL = `CREATE TABLE t (
  id bigint PRIMARY KEY, qty integer, big bigint, price numeric(12,2), score double precision,
  label text, note varchar(80), at timestamptz, day date, flag boolean, uid uuid
)`;

/** The baseline: the raw COPY pipe between the two databases. */
async function rawPipe(srcUrl: string, dstUrl: string): Promise<number> {
  await sql(dstUrl, `DROP TABLE IF EXISTS t; ${TABLE_SQL}`);
  const src = new pg.Client({ connectionString: srcUrl });
  const dst = new pg.Client({ connectionString: dstUrl });
  await src.connect();
  await dst.connect();
  try {
    const t0 = performance.now();
    await pipeline(src.query(copyTo("COPY t TO STDOUT")), dst.query(copyFrom("COPY t FROM STDIN")));
    return performance.now() - t0;
  } finally {
    await src.end();
    await dst.end();
  }
}

type TChildResult = { ms: number; maxRssMb: number; rows: number; outcome: string };

async function child(): Promise<void> {
  const job = await runBenchJob();
  const result: TChildResult = { ms: job.ms, maxRssMb: job.maxRssMb, rows: job.load?.rowsInserted ?? 0, outcome: job.outcome };
  console.log(JSON.stringify(result));
}

async function main(): Promise<void> {
  const server = await startBenchServer("full", { max_wal_size: "4GB", shared_buffers: "256MB" });
  const suffix = Math.random().toString(36).slice(2, 8);
  const names = { src: `bench_src_${suffix}`, dst: `bench_dst_${suffix}`, app: `bench_app_${suffix}` };
  for (const n of Object.values(names)) await sql(server.url, `CREATE DATABASE ${n}`);
  const srcUrl = withDb(server.url, names.src);
  const dstUrl = withDb(server.url, names.dst);
  const appUrl = withDb(server.url, names.app);
  try {
    console.log(`Generating ${ROWS.toLocaleString("en")} rows × 11 columns…`);
    await sql(
      srcUrl,
      `${TABLE_SQL};
       INSERT INTO t SELECT g, (g % 1000)::int, g::bigint * 7919, round((g % 100000) / 7.0, 2), g / 3.0,
         'label ' || md5(g::text), 'a note about row ' || g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
         date '2000-01-01' + (g % 9000), g % 2 = 0, md5(g::text)::uuid
       FROM generate_series(1, ${ROWS}) g`,
    );
    await sql(srcUrl, "VACUUM ANALYZE t");
    const [size] = (await sql(srcUrl, `SELECT pg_size_pretty(pg_total_relation_size('t')) AS s`)).rows as { s: string }[];

    const { integrationId, teamId } = await seedBenchIntegration({
      serverUrl: server.url,
      appUrl,
      sourceDb: names.src,
      destinationDb: names.dst,
      columns: ["id", "qty", "big", "price", "score", "label", "note", "at", "day", "flag", "uid"],
      rows: ROWS,
      method: "full_table",
    });

    const pipeTimes: number[] = [];
    const ours: TChildResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      pipeTimes.push(await rawPipe(srcUrl, dstUrl));
      const r = await runBenchChild<TChildResult>(fileURLToPath(import.meta.url), { appUrl, integrationId, teamId });
      if (r.outcome !== "succeeded" || r.rows !== ROWS) throw new Error(`the job did not load every row: ${JSON.stringify(r)}`);
      ours.push(r);
      console.log(`  run ${i + 1}: raw pipe ${(pipeTimes[i]! / 1000).toFixed(2)} s · extract job ${(r.ms / 1000).toFixed(2)} s · job peak RSS ${r.maxRssMb.toFixed(0)} MB`);
    }
    const [check] = (await sql(dstUrl, `SELECT count(*)::int AS n FROM bench.t`)).rows as { n: number }[];
    if (check?.n !== ROWS) throw new Error(`destination has ${check?.n} rows, expected ${ROWS}`);
    const bestPipe = Math.min(...pipeTimes);
    const bestOurs = Math.min(...ours.map((r) => r.ms));
    const peak = Math.max(...ours.map((r) => r.maxRssMb));
    const ratio = bestOurs / bestPipe;
    console.log(`Full Table, ${ROWS.toLocaleString("en")} rows (${size?.s} at the source):`);
    console.log(`  raw COPY pipe     ${(bestPipe / 1000).toFixed(2)} s`);
    console.log(`  extract job       ${(bestOurs / 1000).toFixed(2)} s   ratio ${ratio.toFixed(2)}× (goal ≤ ${RATIO_GOAL}×) ${ratio <= RATIO_GOAL ? "OK" : "OVER"}`);
    console.log(`  job peak RSS      ${peak.toFixed(0)} MB (goal < ${RSS_GOAL_MB} MB) ${peak < RSS_GOAL_MB ? "OK" : "OVER"}`);
  } finally {
    for (const n of Object.values(names)) await sql(server.url, `DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => undefined);
    await server.stop();
  }
}

runBenchEntry(main, child);
