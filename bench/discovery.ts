/**
 * Discovery of 5,000 tables × 10 columns against a local server (the bar: under 3 s), measured
 * as the dashboard's Refresh and the worker run it: catalog queries + storing the catalog.
 * Uses BENCH_PG_URL (a superuser URL) when set, else starts a throwaway embedded PostgreSQL.
 * Env: BENCH_TABLES (default 5000), BENCH_RUNS (default 3).
 */
import { withDb, startBenchServer } from "./support";
import pg from "pg";

process.env.APP_SECRET ??= "bench-app-secret-that-is-long-enough-0123456789";

const TABLES = Number(process.env.BENCH_TABLES ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LIMIT_MS = 3000;

async function main() {
  const { migrateDatabase } = await import("@/db/migrate");
  const { createDb } = await import("@/db/client");
  const { teams, integrations } = await import("@/db/schema");
  const { seal } = await import("@/lib/crypto");
  const { refreshCatalog } = await import("@/lib/source/discovery-store");
  const { discoverSource } = await import("@/lib/source/discovery");

  const server = await startBenchServer("discovery", { max_locks_per_transaction: "1024" });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const suffix = Date.now().toString(36);
  const sourceDb = `bench_src_${suffix}`;
  const appDb = `bench_app_${suffix}`;
  try {
    await admin.query(`CREATE DATABASE ${sourceDb}`);
    await admin.query(`CREATE DATABASE ${appDb}`);
    const src = new pg.Client({ connectionString: withDb(server.url, sourceDb) });
    await src.connect();
    const t0 = performance.now();
    const schemas = 10;
    for (let s = 0; s < schemas; s++) await src.query(`CREATE SCHEMA "Schema ${s}"`);
    const batch = 250;
    for (let i = 0; i < TABLES; i += batch) {
      const stmts: string[] = [];
      for (let j = i; j < Math.min(TABLES, i + batch); j++) {
        stmts.push(
          `CREATE TABLE "Schema ${j % schemas}"."Table ${j}" (id bigint PRIMARY KEY, amount numeric(12,2), code varchar(10), tags text[], at timestamptz NOT NULL, d date, flag boolean, doc jsonb, uid uuid, note text);`,
        );
      }
      await src.query(stmts.join("\n"));
    }
    await src.query("ANALYZE");
    await src.end();
    console.log(`source: ${TABLES} tables × 10 columns in ${schemas} schemas, created in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const appUrl = withDb(server.url, appDb);
    await migrateDatabase(appUrl);
    const { db, pool } = createDb(appUrl, 4);
    const u = new URL(server.url);
    const [team] = await db.insert(teams).values({ name: "Bench" }).returning();
    const [integration] = await db
      .insert(integrations)
      .values({ teamId: team!.id, name: "Bench", schemaName: "bench", host: u.hostname, port: Number(u.port), username: decodeURIComponent(u.username), passwordEnc: seal(decodeURIComponent(u.password)), database: sourceDb })
      .returning();

    const conn = { host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: sourceDb, sslMode: "disable" as const };
    const queryOnly: number[] = [];
    const total: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const d = await discoverSource(conn);
      queryOnly.push(d.durationMs);
      const started = performance.now();
      const result = await refreshCatalog(db, { teamId: integration!.teamId, integrationId: integration!.id });
      total.push(Math.round(performance.now() - started));
      if (result.tables < TABLES) throw new Error(`discovered ${result.tables} tables, expected ≥ ${TABLES}`);
      console.log(`run ${r + 1}: catalog queries ${d.durationMs} ms; Refresh (discover + store ${result.tables} tables) ${total[r]} ms (store ${result.storeMs} ms)`);
    }
    await pool.end();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const m = median(total);
    console.log(`discovery of ${TABLES} tables × 10 columns: catalog queries median ${median(queryOnly)} ms; full Refresh median ${m} ms (limit ${LIMIT_MS} ms) — ${m < LIMIT_MS ? "OK" : "TOO SLOW"}`);
    if (m >= LIMIT_MS) process.exitCode = 1;
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${sourceDb} WITH (FORCE)`).catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${appDb} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
