/**
 * Log-based Incremental: catch up 200k mixed changes (inserts, updates, deletes in 100 transactions) from
 * a replication slot, against PostgreSQL's own logical replication (a publication on the source and
 * CREATE SUBSCRIPTION in another database of the same server), measured in the same run on the same
 * backlog, both as the time until the destination shows the backlog's last row (polled the same way; the
 * job's own end is printed too). Twice: in a fresh worker process, and in a warm one that has run a
 * Log-based job before (the worker is a long-running process: a fresh one first compiles its hot code). Then one transaction updating every row
 * (500k) through both, for time and peak memory. Our job runs in a child process (as the worker does) so
 * its peak RSS is its own. Both share the machine's cores with the source and destination servers: the
 * CPU each process used is printed (Linux, local server), the worker's own in-job part apart.
 * Goals: our apply rate ≥ the native subscription's; peak RSS < 300 MB.
 * Env: BENCH_PG_URL (superuser URL of a server with wal_level=logical; else a throwaway embedded one),
 * BENCH_ROWS (initial rows, default 500000), BENCH_CHANGES (default 200000), BENCH_SKIP_BIG=1 (catch-up
 * only), BENCH_JOB_LOG=1 (print the jobs' extraction logs with times), BENCH_CPU_PROF=<dir> (V8 CPU
 * profiles of the jobs), BENCH_WARM_ROUNDS (warm catch-ups, default 3, 1 to 3: one sample is noisy
 * on a small machine; their median is the figure).
 */
import { withDb, sql, startBenchServer, runBenchChild, runBenchEntry, runBenchJob, seedBenchIntegration, awaitParentGo } from "./support";
import { formatCpu, sampleProcessCpu } from "./process-cpu";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";

process.env.APP_SECRET ??= "bench-app-secret-that-is-long-enough-0123456789";

const ROWS = Number(process.env.BENCH_ROWS ?? 500_000);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 200_000);
const TXNS = 100;
// Each round updates and deletes its own ids: 1 + 3 rounds of 120,000 of the 500,000 rows.
const WARM_ROUNDS = Math.min(3, Math.max(1, Number(process.env.BENCH_WARM_ROUNDS ?? 3)));
const RSS_GOAL_MB = 300;
const TABLE_SQL = `CREATE TABLE t (id bigint PRIMARY KEY, qty integer, price numeric(12,2), label text, at timestamptz)`;

type TChildResult = { ms: number; startedAt: number; cpuMs: number; maxRssMb: number; received: number; outcome: string; inserted: number; updated: number; deleted: number };

/**
 * Changes that leave the source as it was (rows inserted then deleted, updates to the same values), for
 * a warm-up job: the same code paths as the backlog, on ids no backlog uses.
 */
async function generateWarmUp(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (let i = 0; i < 20; i++) {
      const base = -10_000_000 - i * 1_000;
      await c.query(
        `BEGIN;
         INSERT INTO t SELECT g, g % 1000, 1.25, 'warm ' || g, now() FROM generate_series(${base - 799}, ${base}) g;
         UPDATE t SET qty = qty WHERE id BETWEEN ${1 + i * 800} AND ${800 + i * 800};
         DELETE FROM t WHERE id BETWEEN ${base - 399} AND ${base};
         COMMIT`,
      );
    }
    await c.query(`DELETE FROM t WHERE id <= -10000000`);
  } finally {
    await c.end();
  }
}

/**
 * The child: one extract job with the log-based engine, as the worker runs it. Warm (BENCH_CHILD.warm):
 * first an untimed job, then "READY" and a wait for the parent's go (it makes the backlog meanwhile).
 */
async function child(): Promise<void> {
  if ((JSON.parse(process.env.BENCH_CHILD!) as { warm?: boolean }).warm) {
    const warmUp = await runBenchJob({ logBased: true, printLog: "none" });
    if (warmUp.outcome !== "succeeded") throw new Error(`warm-up job: ${warmUp.outcome}`);
    await awaitParentGo();
  }
  const job = await runBenchJob({ logBased: true, printLog: process.env.BENCH_JOB_LOG ? "all" : "summary" });
  const result: TChildResult = {
    ms: job.ms,
    startedAt: job.startedAt,
    cpuMs: job.cpuMs,
    maxRssMb: job.maxRssMb,
    received: job.load?.rowsDone ?? 0,
    outcome: job.outcome,
    inserted: job.load?.rowsInserted ?? 0,
    updated: job.load?.rowsUpdated ?? 0,
    deleted: job.load?.rowsDeleted ?? 0,
  };
  console.log(JSON.stringify(result));
}

/** The source's rows and the destination's live rows, as one checksum each. */
async function checksum(url: string, rel: string, live: boolean): Promise<string> {
  const r = await sql(url, `SELECT count(*)::text || ':' || coalesce(md5(string_agg(id::text || '|' || qty::text || '|' || price::text || '|' || label || '|' || at::text, ',' ORDER BY id)), '') AS c FROM ${rel}${live ? " WHERE _sdc_deleted_at IS NULL" : ""}`);
  return (r.rows[0] as { c: string }).c;
}

/** Time until the native subscriber shows the marker row (it applies in commit order). */
async function waitForMarker(url: string, marker: number, t0: number): Promise<number> {
  return (await markerSeenAt(url, "t", marker)) - t0;
}

/**
 * When (performance.now()) `rel` first shows the live marker row, polled every 10 ms: the same measure
 * for the native subscriber and for our destination (our job commits changes in order too).
 */
async function markerSeenAt(url: string, rel: string, marker: number): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (;;) {
      const r = await c.query(`SELECT 1 FROM ${rel} WHERE id = $1${rel === "t" ? "" : " AND _sdc_deleted_at IS NULL"}`, [marker]);
      if (r.rowCount) return performance.now();
      await new Promise((res) => setTimeout(res, 10));
    }
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const server = await startBenchServer("log", { max_wal_size: "4GB", shared_buffers: "256MB", wal_level: "logical", max_replication_slots: "10", max_wal_senders: "10" });
  const suffix = Math.random().toString(36).slice(2, 8);
  const names = { src: `bench_lsrc_${suffix}`, dst: `bench_ldst_${suffix}`, nat: `bench_lnat_${suffix}`, app: `bench_lapp_${suffix}` };
  for (const n of Object.values(names)) await sql(server.url, `CREATE DATABASE ${n}`);
  const srcUrl = withDb(server.url, names.src);
  const dstUrl = withDb(server.url, names.dst);
  const natUrl = withDb(server.url, names.nat);
  const appUrl = withDb(server.url, names.app);
  const u = new URL(server.url);
  // Before PostgreSQL 16 the launcher waits wal_retrieve_retry_interval (5 s) before starting a disabled
  // subscription's apply worker again: the second round's native time would include it.
  const versionNum = Number(((await sql(server.url, "SHOW server_version_num")).rows[0] as { server_version_num: string }).server_version_num);
  const shortenRetry = versionNum < 160_000;
  if (shortenRetry) {
    await sql(server.url, "ALTER SYSTEM SET wal_retrieve_retry_interval = '50ms'");
    await sql(server.url, "SELECT pg_reload_conf()");
    console.log("  (PostgreSQL before 16: wal_retrieve_retry_interval set to 50ms for the run, reset at its end)");
  }
  try {
    console.log(`Source: ${ROWS.toLocaleString("en")} rows; then ${CHANGES.toLocaleString("en")} changes in ${TXNS} transactions`);
    await sql(srcUrl, `${TABLE_SQL}; INSERT INTO t SELECT g, g % 1000, round((g % 100000) / 7.0, 2), 'label ' || md5(g::text), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(1, ${ROWS}) g`);
    await sql(srcUrl, "VACUUM ANALYZE t");

    // Native: the same initial rows in another database, a publication, a slot and a disabled subscription.
    await sql(natUrl, TABLE_SQL);
    {
      const a = new pg.Client({ connectionString: srcUrl });
      const b = new pg.Client({ connectionString: natUrl });
      await a.connect();
      await b.connect();
      await pipeline(a.query(copyTo("COPY t TO STDOUT")), b.query(copyFrom("COPY t FROM STDIN")));
      await a.end();
      await b.end();
    }
    await sql(srcUrl, `CREATE PUBLICATION bench_native_pub FOR TABLE t`);
    await sql(srcUrl, `SELECT pg_create_logical_replication_slot('bench_native', 'pgoutput')`);
    const connInfo = `host=${u.hostname} port=${u.port} dbname=${names.src} user=${decodeURIComponent(u.username)} password=${decodeURIComponent(u.password)}`;
    await sql(natUrl, `CREATE SUBSCRIPTION bench_native_sub CONNECTION '${connInfo}' PUBLICATION bench_native_pub WITH (create_slot = false, slot_name = 'bench_native', copy_data = false, enabled = false)`);

    // Ours: an integration with the table on Log-based Incremental; the first job copies it (not timed).
    const { integrationId, teamId } = await seedBenchIntegration({
      serverUrl: server.url,
      appUrl,
      sourceDb: names.src,
      destinationDb: names.dst,
      columns: ["id", "qty", "price", "label", "at"],
      rows: ROWS,
      method: "log_based",
    });
    const childArgs = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const first = await runBenchChild<TChildResult>(fileURLToPath(import.meta.url), { appUrl, integrationId, teamId }, childArgs);
    if (first.outcome !== "succeeded") throw new Error(`first job: ${JSON.stringify(first)}`);
    console.log(`  first copy (not compared): ${(first.ms / 1000).toFixed(2)} s, peak RSS ${first.maxRssMb.toFixed(0)} MB`);

    // A backlog: inserts of new ids, updates and deletes of existing ones, in TXNS transactions; each
    // round touches its own ids. A marker row (negative id) ends it: the native run stops once it is applied.
    const per = Math.floor(CHANGES / TXNS);
    const ins = Math.floor(per * 0.4);
    const upd = Math.floor(per * 0.4);
    const del = per - ins - upd;
    const generateBacklog = async (round: number, marker: number): Promise<void> => {
      const t0gen = performance.now();
      const c = new pg.Client({ connectionString: srcUrl });
      await c.connect();
      for (let i = 0; i < TXNS; i++) {
        const newBase = ROWS + 1 + (round * TXNS + i) * ins;
        const updBase = 1 + (round * TXNS + i) * (upd + del);
        await c.query(
          `BEGIN;
           INSERT INTO t SELECT g, g % 1000, 1.25, 'new ' || g, now() FROM generate_series(${newBase}, ${newBase + ins - 1}) g;
           UPDATE t SET qty = qty + 1, label = label || '+' WHERE id BETWEEN ${updBase} AND ${updBase + upd - 1};
           DELETE FROM t WHERE id BETWEEN ${updBase + upd} AND ${updBase + upd + del - 1};
           COMMIT`,
        );
      }
      await c.query(`INSERT INTO t VALUES (${marker}, 0, 0, 'marker', now())`);
      await c.end();
      console.log(`  generated ${(TXNS * per + 1).toLocaleString("en")} changes in ${((performance.now() - t0gen) / 1000).toFixed(1)} s`);
    };

    // Who spends the CPU (both runs share the machine's cores): the worker, its destination backend and
    // the walsender for ours; the apply worker and the walsender for the native subscription.
    const label = (cmd: string, pid: number): string | null => {
      if (pid === process.pid) return null;
      // PostgreSQL 17 names the walsender's database and says "apply worker"; 15 does neither.
      if (cmd.includes("walsender") && (cmd.includes(names.src) || cmd.includes("START_REPLICATION"))) return "walsender";
      if (/logical replication (apply )?worker/.test(cmd)) return "apply worker";
      if (cmd.startsWith(`postgres: postgres ${names.dst} `)) return "destination backend";
      if (cmd.includes("log-based.ts")) return "worker";
      return null;
    };
    const runOurs = (warm?: () => Promise<void>) => runBenchChild<TChildResult>(fileURLToPath(import.meta.url), { appUrl, integrationId, teamId, warm: Boolean(warm) }, childArgs, warm);
    const disableNative = async () => {
      await sql(natUrl, `ALTER SUBSCRIPTION bench_native_sub DISABLE`);
      for (let i = 0; i < 100; i++) {
        const r = await sql(srcUrl, `SELECT active FROM pg_replication_slots WHERE slot_name = 'bench_native'`);
        if (!(r.rows[0] as { active: boolean }).active) break;
        await new Promise((res) => setTimeout(res, 100));
      }
    };

    /**
     * One catch-up, ours then native, on the same backlog. Ours first: its job reads up to the position
     * current at its start; run second, that position would lie past the native subscriber's own writes
     * (same server, same WAL), which its walsender would have to read through. `warm`: our worker process
     * has run a Log-based job before (as the long-running worker has), on changes that leave the source as
     * it was and that the native slot skips; the backlog is made once that job has ended.
     */
    const catchUp = async (round: number, marker: number, warm: boolean) => {
      let ours: TChildResult;
      let oursUsed: ReturnType<ReturnType<typeof sampleProcessCpu>["stop"]>;
      // Our destination shows the marker: caught up (the job then still ends its read and reports).
      const oursSeen = markerSeenAt(dstUrl, "bench.t", marker).then((at) => performance.timeOrigin + at);
      if (!warm) {
        await generateBacklog(round, marker);
        const oursCpu = sampleProcessCpu(label);
        ours = await runOurs();
        oursUsed = oursCpu.stop();
      } else {
        await disableNative();
        await generateWarmUp(srcUrl);
        // A checkpoint logs the running transactions: both slots' restart points can move past the
        // earlier rounds' WAL (else both walsenders would decode it again, unmeasured work for both).
        await sql(srcUrl, "CHECKPOINT");
        let oursCpu: ReturnType<typeof sampleProcessCpu> | null = null;
        ours = await runOurs(async () => {
          await sql(srcUrl, `SELECT pg_replication_slot_advance('bench_native', pg_current_wal_lsn())`);
          await generateBacklog(round, marker);
          oursCpu = sampleProcessCpu(label);
        });
        oursUsed = oursCpu!.stop();
      }
      if (ours.outcome !== "succeeded") throw new Error(`our job: ${JSON.stringify(ours)}`);
      const oursMs = (await oursSeen) - ours.startedAt;
      const nativeCpu = sampleProcessCpu(label);
      const t0 = performance.now();
      await sql(natUrl, `ALTER SUBSCRIPTION bench_native_sub ENABLE`);
      const nativeMs = await waitForMarker(natUrl, marker, t0);
      const nativeUsed = nativeCpu.stop();
      const [srcSum, oursSum, natSum] = [await checksum(srcUrl, "t", false), await checksum(dstUrl, "bench.t", true), await checksum(natUrl, "t", false)];
      if (oursSum !== srcSum) throw new Error(`our destination differs from the source: ${oursSum} vs ${srcSum}`);
      if (natSum !== srcSum) throw new Error(`the native subscriber differs from the source: ${natSum} vs ${srcSum}`);
      return {
        ours,
        oursMs,
        nativeMs,
        ratio: nativeMs / oursMs,
        cpuLines: [
          `  CPU, native: ${formatCpu(nativeUsed, ["apply worker", "walsender", "machine"])}`,
          `  CPU, ours:   ${formatCpu(oursUsed, ["worker", "destination backend", "walsender", "machine"])} (worker: ${(ours.cpuMs / 1000).toFixed(2)} s of it in the job${warm ? "" : ", the rest is its start-up"})`,
        ],
      };
    };
    const cold = await catchUp(0, -1, false);
    const warmRounds: Awaited<ReturnType<typeof catchUp>>[] = [];
    for (let i = 0; i < WARM_ROUNDS; i++) warmRounds.push(await catchUp(1 + i, -3 - i, true));
    // The round with the median ratio stands for the warm worker; every round's ratio is printed.
    const warmRound = [...warmRounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(warmRounds.length / 2)]!;
    const warmRatios = warmRounds.length > 1 ? ` (median of ${warmRounds.length} rounds: ${warmRounds.map((r) => `${r.ratio.toFixed(2)}×`).join(", ")})` : "";
    if (process.env.BENCH_SKIP_BIG) {
      for (const [name, r] of [["fresh worker", cold], [`warm worker${warmRatios}`, warmRound]] as const) {
        console.log(`  ${name}: native ${(r.nativeMs / 1000).toFixed(2)} s · ours ${(r.oursMs / 1000).toFixed(2)} s (job ${(r.ours.ms / 1000).toFixed(2)} s) · ratio ${r.ratio.toFixed(2)}× · peak RSS ${r.ours.maxRssMb.toFixed(0)} MB (BENCH_SKIP_BIG: no large transaction)`);
        for (const l of r.cpuLines) console.log(l);
      }
      return;
    }
    // One transaction updating every row: must stream through in bounded memory. The subscription is
    // paused meanwhile (same order as above: ours first).
    await disableNative();
    const t1 = performance.now();
    await sql(srcUrl, `UPDATE t SET qty = qty + 1000 WHERE id > 0; INSERT INTO t VALUES (-2, 0, 0, 'marker 2', now())`);
    const bigGenMs = performance.now() - t1;
    const big = await runOurs();
    const t2 = performance.now();
    await sql(natUrl, `ALTER SUBSCRIPTION bench_native_sub ENABLE`);
    const nativeBigMs = await waitForMarker(natUrl, -2, t2);
    if (big.outcome !== "succeeded") throw new Error(`large transaction job: ${JSON.stringify(big)}`);
    const [srcSum2, oursSum2] = [await checksum(srcUrl, "t", false), await checksum(dstUrl, "bench.t", true)];
    if (oursSum2 !== srcSum2) throw new Error(`after the large transaction our destination differs: ${oursSum2} vs ${srcSum2}`);
    const peak = Math.max(cold.ours.maxRssMb, ...warmRounds.map((r) => r.ours.maxRssMb), big.maxRssMb);

    const rate = (ms: number) => Math.round((TXNS * per) / (ms / 1000)).toLocaleString("en");
    console.log(`Log-based catch-up, ${(TXNS * per).toLocaleString("en")} mixed changes (${ins * TXNS} inserts, ${upd * TXNS} updates, ${del * TXNS} deletes):`);
    for (const [name, r] of [["a fresh worker process (its first job)", cold], [`a warm worker process (it has run a Log-based job before)${warmRatios}`, warmRound]] as const) {
      console.log(` ${name}:`);
      console.log(`  native subscription ${(r.nativeMs / 1000).toFixed(2)} s (${rate(r.nativeMs)} changes/s)`);
      console.log(`  our extract job      ${(r.oursMs / 1000).toFixed(2)} s (${rate(r.oursMs)} changes/s; the job ended at ${(r.ours.ms / 1000).toFixed(2)} s)   apply-rate ratio ${r.ratio.toFixed(2)}× native (goal ≥ 1×) ${r.ratio >= 1 ? "OK" : "UNDER"}`);
      for (const l of r.cpuLines) console.log(l);
    }
    console.log(`  one transaction updating ${ROWS.toLocaleString("en")} rows (source took ${(bigGenMs / 1000).toFixed(1)} s): native ${(nativeBigMs / 1000).toFixed(2)} s · ours ${(big.ms / 1000).toFixed(2)} s, peak RSS ${big.maxRssMb.toFixed(0)} MB`);
    console.log(`  job peak RSS         ${peak.toFixed(0)} MB (goal < ${RSS_GOAL_MB} MB) ${peak < RSS_GOAL_MB ? "OK" : "OVER"}`);
  } finally {
    for (const stmt of ["ALTER SUBSCRIPTION bench_native_sub DISABLE", "ALTER SUBSCRIPTION bench_native_sub SET (slot_name = NONE)", "DROP SUBSCRIPTION bench_native_sub"]) {
      await sql(natUrl, stmt).catch(() => undefined);
    }
    await sql(srcUrl, `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database()`).catch(() => undefined);
    for (const n of Object.values(names)) await sql(server.url, `DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => undefined);
    if (shortenRetry) {
      await sql(server.url, "ALTER SYSTEM RESET wal_retrieve_retry_interval").catch(() => undefined);
      await sql(server.url, "SELECT pg_reload_conf()").catch(() => undefined);
    }
    await server.stop();
  }
}

runBenchEntry(main, child);
