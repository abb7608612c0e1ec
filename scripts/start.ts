/**
 * `npm start`: the whole product on one machine. Without DATABASE_URL it starts the embedded PostgreSQL
 * (app, demo source, warehouse destination); then it migrates, builds the dashboard when needed, and runs
 * the web server and one worker until Ctrl-C, restarting either when it dies (pids in DATA_DIR/pids).
 */
import { resolve } from "node:path";
import { parseEnv, EnvError } from "@/lib/env";
import { loadOrCreateAppSecret } from "@/lib/crypto/app-secret";
import { startEmbeddedCluster, type TEmbeddedCluster } from "@/lib/embedded/cluster";
import { prepareEmbeddedDatabases, type TEmbeddedSetup } from "@/lib/embedded/prepare";
import type PgBoss from "pg-boss";
import { createDb, type TDb } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { startQueue } from "@/lib/jobs/queue";
import { repairCrashedJobs } from "@/lib/jobs/sweep";
import { childEnvironment } from "@/lib/runtime-env";
import { issueSetupToken } from "@/lib/auth/setup-token";
import { buildIfStale } from "./build-if-stale";
import { superviseChildren } from "./supervise";

const root = resolve(import.meta.dirname, "..");

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { redirect: "manual" });
      if (res.status < 500) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The dashboard did not answer at ${url} within ${timeoutMs / 1000} s`);
}

/** Where this script can reach the web server listening on `host` (a wildcard answers on loopback). */
function probeHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "localhost") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

async function withDb<T>(databaseUrl: string, fn: (db: TDb) => Promise<T>): Promise<T> {
  const { db, pool } = createDb(databaseUrl, 1);
  try {
    return await fn(db);
  } finally {
    await pool.end();
  }
}

/**
 * After the only worker died nobody else would notice its job until the restarted worker is up (seconds
 * of start-up): sweep once right away, so the dashboard stops showing the dead job as Running.
 */
function sweepAfterCrash(databaseUrl: string): () => void {
  let queue: Promise<{ db: TDb; boss: PgBoss }> | null = null;
  const sweep = () => {
    queue ??= startQueue(databaseUrl, { supervise: false }).then((boss) => ({ db: createDb(databaseUrl, 2).db, boss }));
    void queue
      .then(({ db, boss }) => repairCrashedJobs(db, { boss }))
      .then((n) => n > 0 && console.error(`Marked ${n} job(s) of the dead worker failed; the next job resumes from the last saved position.`))
      .catch((err: unknown) => console.error(`Could not check for the dead worker's jobs: ${err instanceof Error ? err.message : String(err)}`));
  };
  // Now, and once the dead worker's last heartbeat is old enough (the sweep's default 3 s) to count.
  return () => {
    sweep();
    setTimeout(sweep, 4_000);
  };
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const env = parseEnv();
  const dataDir = resolve(root, env.DATA_DIR);
  let cluster: TEmbeddedCluster | undefined;
  let setup: TEmbeddedSetup | undefined;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    console.log(`Starting the embedded PostgreSQL on 127.0.0.1:${env.EMBEDDED_PG_PORT} (data in ${dataDir}/pg)…`);
    cluster = await startEmbeddedCluster({ dataDir, port: env.EMBEDDED_PG_PORT });
    setup = await prepareEmbeddedDatabases(cluster, dataDir);
    databaseUrl = setup.appUrl;
  }
  const appSecret = loadOrCreateAppSecret(dataDir, env.APP_SECRET);
  await migrateDatabase(databaseUrl);
  // A fresh install's first account needs this link: whoever reaches the page first must not own it.
  const setupToken = await withDb(databaseUrl, issueSetupToken);
  buildIfStale(root, process.env.NEXT_DIST_DIR || ".next");

  const childEnv = childEnvironment({
    base: process.env,
    databaseUrl,
    appSecret,
    port: env.PORT,
    nextAuthUrl: env.NEXTAUTH_URL,
    defaultDestinationUrl: setup?.warehouseUrl ?? env.DEFAULT_DESTINATION_URL,
  });
  superviseChildren({
    cwd: root,
    env: childEnv,
    pidDir: resolve(dataDir, "pids"),
    children: [
      { name: "web server", file: "scripts/web-server.ts" },
      { name: "worker", file: "workers/index.ts", onCrash: sweepAfterCrash(databaseUrl) },
    ],
    afterStop: async () => cluster?.stop(),
  });

  const url = childEnv.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`;
  await waitForHttp(`http://${probeHost(env.HOST)}:${env.PORT}/sign-in`, 120_000);
  const lines = [
    "",
    `  Dashboard:  ${url}   (ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; listening on ${env.HOST}, see HOST)`,
    ...(setupToken
      ? [
          `  Set up:     ${new URL(`/sign-up?setup=${setupToken}`, url).href}`,
          "              open this link to create the first account (the team's Owner); it works once.",
        ]
      : ["  Sign in:    with your account; new members join through an invitation from the Team page."]),
  ];
  if (setup) {
    const d = setup.demo;
    lines.push(
      "",
      "  Demo source database (type these into Add Integration → PostgreSQL):",
      `    Host (Endpoint): ${d.host}`,
      `    Port:            ${d.port}`,
      `    Username:        ${d.user}`,
      `    Password:        ${d.password}`,
      `    Database:        ${d.database}`,
      "",
      "  Destination: the embedded `warehouse` database, configured for your team.",
    );
  }
  lines.push("", "  Press Ctrl-C to stop.", "");
  console.log(lines.join("\n"));
}

main().catch((err: unknown) => {
  console.error(err instanceof EnvError ? err.message : `Start-up failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
