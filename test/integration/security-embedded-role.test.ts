/**
 * Finding 11 of issue 21 (first half): the embedded default connected to its own database as the
 * PostgreSQL superuser. The product now has its own login that owns the `app` database and nothing
 * else; migrations and pg-boss work under it, and an install made before it (everything owned by the
 * superuser) is handed over on the next start. A real embedded cluster, started as `npm start` does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { migrateDatabase } from "@/db/migrate";
import { APP_USER } from "@/lib/embedded/app-role";
import { startEmbeddedCluster, type TEmbeddedCluster } from "@/lib/embedded/cluster";
import { prepareEmbeddedDatabases } from "@/lib/embedded/prepare";
import { ensureQueue, startQueue } from "@/lib/jobs/queue";
import { freePort } from "../support/ports";
import { withDatabase } from "../support/url";

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

/** What a product process does at start: migrate, start the queue, take a waiting job, send one. */
async function runProductStart(appUrl: string, queue: string, previous?: string): Promise<string | null> {
  await migrateDatabase(appUrl);
  const boss = await startQueue(appUrl, { supervise: false });
  try {
    if (previous) {
      const [job] = await boss.fetch(previous);
      if (!job) throw new Error(`The job waiting in ${previous} was not there`);
      await boss.complete(previous, job.id);
    }
    await ensureQueue(boss, queue);
    return await boss.send(queue, { jobRunId: "00000000-0000-4000-8000-000000000000" });
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

/** Objects in the app database's own schemas still owned by someone other than APP_USER. */
const FOREIGN_OWNED = `
  SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND pg_get_userbyid(c.relowner) <> '${APP_USER}'
  UNION ALL
  SELECT n.nspname FROM pg_namespace n WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname NOT IN ('information_schema', 'public') AND pg_get_userbyid(n.nspowner) <> '${APP_USER}'
  UNION ALL
  SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND pg_get_userbyid(p.proowner) <> '${APP_USER}'`;

describe("the embedded default's own database role", () => {
  let dataDir: string;
  let cluster: TEmbeddedCluster;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "pgr-role-"));
    chmodSync(dataDir, 0o755); // the unprivileged postgres user must reach its data folder when we are root
    cluster = await startEmbeddedCluster({ dataDir, port: await freePort() });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("an install from before (migrated and queued as the superuser) is handed over and keeps working", async () => {
    await query(cluster.url("postgres"), "CREATE DATABASE app");
    expect(await runProductStart(cluster.url("app"), "before")).toEqual(expect.any(String));
    expect((await query(cluster.url("app"), FOREIGN_OWNED)).length).toBeGreaterThan(10);

    const setup = await prepareEmbeddedDatabases(cluster, dataDir);
    expect(new URL(setup.appUrl).username).toBe(APP_USER);
    expect(await query(cluster.url("app"), FOREIGN_OWNED)).toEqual([]);
    // The job queued as the superuser is taken and completed by the product's login, which queues its own.
    expect(await runProductStart(setup.appUrl, "after", "before")).toEqual(expect.any(String));
  });

  it("the product's login is no superuser, owns only app and reaches no other database", async () => {
    const setup = await prepareEmbeddedDatabases(cluster, dataDir);
    const [role] = await query<{ rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean; rolreplication: boolean }>(
      setup.appUrl,
      "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication FROM pg_roles WHERE rolname = current_user",
    );
    expect(role).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolreplication: false });
    const owned = await query<{ datname: string }>(setup.appUrl, "SELECT datname FROM pg_database WHERE pg_get_userbyid(datdba) = current_user");
    expect(owned.map((d) => d.datname)).toEqual(["app"]);
    for (const other of ["postgres", "demo", "warehouse"]) {
      await expect(query(withDatabase(setup.appUrl, other), "SELECT 1"), other).rejects.toThrow(/permission denied for database/);
    }
  });

  it("a fresh install creates app owned by the product's login; migrations and the queue run under it", async () => {
    await query(cluster.url("postgres"), "DROP DATABASE app WITH (FORCE)");
    const setup = await prepareEmbeddedDatabases(cluster, dataDir);
    const [db] = await query<{ owner: string }>(cluster.url("postgres"), "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'app'");
    expect(db!.owner).toBe(APP_USER);
    expect(await runProductStart(setup.appUrl, "fresh")).toEqual(expect.any(String));
    expect(await query(cluster.url("app"), FOREIGN_OWNED)).toEqual([]);
  });
});
