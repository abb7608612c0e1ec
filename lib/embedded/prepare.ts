import pg from "pg";
import { quoteIdent } from "@/lib/naming/identifiers";
import { readOrCreateSecretFile, type TEmbeddedCluster } from "./cluster";
import { DEMO_SCHEMA_SQL, demoGrantsSql } from "./demo-sql";
import { APP_USER, handAppDatabaseToAppUser } from "./app-role";

export type TConnectionDetails = { host: string; port: number; user: string; password: string; database: string };
export type TEmbeddedSetup = { appUrl: string; warehouseUrl: string; demo: TConnectionDetails };

export const DEMO_USER = "demo_replicator";
export const WAREHOUSE_USER = "warehouse_loader";

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function ensureRole(c: pg.Client, name: string, password: string, extra = ""): Promise<void> {
  const { rowCount } = await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [name]);
  const verb = rowCount ? "ALTER" : "CREATE";
  // Passwords cannot be bound parameters in DDL; this one is ours (base64url), so a literal is safe.
  await c.query(`${verb} ROLE ${quoteIdent(name)} WITH LOGIN PASSWORD '${password.replace(/'/g, "''")}' ${extra}`);
}

/**
 * Makes the three databases of the embedded default: `app` (owned by the product's own non-superuser
 * login, which the web server and workers use), the `demo` source (seeded once, reached by its own
 * non-superuser account) and the `warehouse` destination with its loader account. Idempotent.
 */
export async function prepareEmbeddedDatabases(cluster: TEmbeddedCluster, dataDir: string): Promise<TEmbeddedSetup> {
  const appPassword = readOrCreateSecretFile(dataDir, "app-password");
  const demoPassword = readOrCreateSecretFile(dataDir, "demo-password");
  const warehousePassword = readOrCreateSecretFile(dataDir, "warehouse-password");
  await withClient(cluster.url("postgres"), async (c) => {
    // NOSUPERUSER NOCREATEDB NOCREATEROLE: the product's data is all it may reach.
    await ensureRole(c, APP_USER, appPassword, "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION");
    const { rows } = await c.query<{ datname: string }>("SELECT datname FROM pg_database");
    const have = new Set(rows.map((r) => r.datname));
    if (!have.has("app")) await c.query(`CREATE DATABASE app OWNER ${quoteIdent(APP_USER)}`);
    for (const db of ["demo", "warehouse"]) if (!have.has(db)) await c.query(`CREATE DATABASE ${quoteIdent(db)}`);
    await ensureRole(c, DEMO_USER, demoPassword);
    await ensureRole(c, WAREHOUSE_USER, warehousePassword);
    await c.query(`GRANT CONNECT, CREATE ON DATABASE warehouse TO ${quoteIdent(WAREHOUSE_USER)}`);
    // Each account reaches only its own database: the demo source must not discover the product's data,
    // nor the product's login the demo's (the demo account's own CONNECT is granted with its seed).
    await c.query("REVOKE CONNECT ON DATABASE app, demo, warehouse, postgres FROM PUBLIC");
  });
  // An install from before APP_USER: its tables, the migrations' and pg-boss's schemas move to APP_USER.
  await withClient(cluster.url("app"), handAppDatabaseToAppUser);
  await withClient(cluster.url("demo"), async (c) => {
    const { rowCount } = await c.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'customers'");
    if (!rowCount) {
      await c.query("BEGIN");
      await c.query(DEMO_SCHEMA_SQL);
      await c.query(demoGrantsSql(DEMO_USER, "demo"));
      // pgoutput needs a publication; FOR ALL TABLES needs a superuser, so the demo has one ready.
      await c.query("CREATE PUBLICATION stitch_demo FOR ALL TABLES WITH (publish_via_partition_root = true)");
      await c.query("COMMIT");
    }
  });
  const host = "127.0.0.1";
  return {
    appUrl: `postgres://${APP_USER}:${encodeURIComponent(appPassword)}@${host}:${cluster.port}/app`,
    warehouseUrl: `postgres://${WAREHOUSE_USER}:${encodeURIComponent(warehousePassword)}@${host}:${cluster.port}/warehouse`,
    demo: { host, port: cluster.port, user: DEMO_USER, password: demoPassword, database: "demo" },
  };
}
