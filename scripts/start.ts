/**
 * `npm start`: the whole product on one machine. Without DATABASE_URL it starts the embedded PostgreSQL
 * (app, demo source, warehouse destination); then it migrates, builds the dashboard when needed, and runs
 * the web server and one worker until Ctrl-C.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { parseEnv, EnvError } from "@/lib/env";
import { loadOrCreateAppSecret } from "@/lib/crypto/app-secret";
import { startEmbeddedCluster, type TEmbeddedCluster } from "@/lib/embedded/cluster";
import { prepareEmbeddedDatabases, type TEmbeddedSetup } from "@/lib/embedded/prepare";
import { migrateDatabase } from "@/db/migrate";
import { childEnvironment } from "@/lib/runtime-env";
import { buildIfStale } from "./build-if-stale";

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
  buildIfStale(root, process.env.NEXT_DIST_DIR || ".next");

  const childEnv = childEnvironment({
    base: process.env,
    databaseUrl,
    appSecret,
    port: env.PORT,
    nextAuthUrl: env.NEXTAUTH_URL,
    defaultDestinationUrl: setup?.warehouseUrl ?? env.DEFAULT_DESTINATION_URL,
  });
  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      console.log("\nStopping: the worker finishes its current step first…");
      for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
      await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)));
      await cluster?.stop().catch(() => undefined);
    }
    process.exit(code);
  };
  const run = (name: string, args: string[]): ChildProcess => {
    const child = spawn(process.execPath, args, { cwd: root, env: childEnv, stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", (code, signal) => {
      // Ctrl-C reaches the children too; give our own SIGINT handler its turn before calling this a crash.
      setTimeout(() => {
        if (!stopping) {
          console.error(`The ${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping.`);
          void stopAll(1);
        }
      }, 500);
    });
    children.push(child);
    return child;
  };
  run("web server", ["--import", "tsx", resolve(root, "scripts/web-server.ts")]);
  run("worker", ["--import", "tsx", resolve(root, "workers/index.ts")]);
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));

  const url = childEnv.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`;
  await waitForHttp(`http://127.0.0.1:${env.PORT}/sign-in`, 120_000);
  const lines = [
    "",
    `  Dashboard:  ${url}   (ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`,
    "  Sign in:    the first account you create there owns the team; later ones need an invitation.",
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
