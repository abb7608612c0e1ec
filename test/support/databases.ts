import { inject } from "vitest";
import pg from "pg";
import { randomBytes } from "node:crypto";
import { createDb, type TDb } from "@/db/client";
import { openLoader, type TDestinationLoader } from "@/lib/connectors/postgres/destination";
import { connectionParts, withDatabase } from "./url";

export { withDatabase };

/** One client on `url` for the duration of `fn`. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A destination loader on a test database (plain TCP), with its state table ready. */
export async function openTestLoader(url: string, schema: string, integrationId: string, onSql?: (sql: string) => void): Promise<TDestinationLoader> {
  const loader = await openLoader({ conn: { ...connectionParts(url), ssl: false }, schema, integrationId, onSql });
  await loader.prepare();
  return loader;
}

export type TTestAppDb = { url: string; db: TDb; close(): Promise<void> };

/** A fresh, migrated product database for one test file (copied from the template). */
export async function createAppDatabase(): Promise<TTestAppDb> {
  const name = `app_${randomBytes(5).toString("hex")}`;
  const server = inject("embeddedUrl");
  await withClient(server, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${inject("appTemplate")}`));
  const url = withDatabase(server, name);
  const { db, pool } = createDb(url, 5);
  return {
    url,
    db,
    async close() {
      await pool.end();
      await withClient(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** An empty database on a test server (embedded by default, or the PostgreSQL 15 one). */
export async function createEmptyDatabase(server: "embedded" | "pg15", prefix = "db"): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const serverUrl = server === "embedded" ? inject("embeddedUrl") : inject("pg15").superuserUrl;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    url: withDatabase(serverUrl, name),
    name,
    // WITH (FORCE) ends the database's sessions (walsenders too); DROP DATABASE then drops its logical
    // replication slots itself, so tests need no slot clean-up of their own.
    drop: () => withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
