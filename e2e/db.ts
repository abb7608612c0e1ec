import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";

/**
 * A query on the e2e install's embedded server as its superuser: the source's "other clients" and the
 * warehouse checks. Values come back as the server's text (no parsing), in UTC and ISO dates.
 */
export async function queryAsSuperuser(database: string, text: string): Promise<Record<string, string | null>[]> {
  const dataDir = process.env.E2E_DATA_DIR ?? ".test-data/e2e";
  const password = readFileSync(join(dataDir, "pg-superuser-password"), "utf8").trim();
  const c = new pg.Client({ host: "127.0.0.1", port: Number(process.env.E2E_PG_PORT ?? 54410), user: "postgres", password, database, types: { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig });
  await c.connect();
  try {
    await c.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3");
    return (await c.query(text)).rows as Record<string, string | null>[];
  } finally {
    await c.end();
  }
}
