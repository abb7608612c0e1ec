import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema";

export type TDb = NodePgDatabase<typeof schema>;
/** A database handle or a transaction; query functions take it first. */
export type TDbOrTx = TDb | Parameters<Parameters<TDb["transaction"]>[0]>[0];

export function createDb(connectionString: string, max = 10): { db: TDb; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, max, application_name: "pgreplicate" });
  pool.on("error", () => {
    /* idle client errors (server restart) are retried by the next query */
  });
  return { db: drizzle(pool, { schema }), pool };
}

const globalForDb = globalThis as unknown as { __appDb?: { db: TDb; pool: pg.Pool } };

/** The web server's shared pool (survives Next's module reloads in dev). */
export function getDb(): TDb {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set in this process");
  globalForDb.__appDb ??= createDb(url);
  return globalForDb.__appDb.db;
}

export { schema };
