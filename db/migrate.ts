import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import pg from "pg";
import * as schema from "./schema";

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "migrations");

/**
 * Applies the committed migrations. drizzle takes no lock of its own, so several processes starting
 * together (web, workers) serialize on an advisory lock held by the migrating session.
 */
export async function migrateDatabase(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString, application_name: "pgreplicate-migrate" });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(742031)");
    await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await client.end();
  }
}
