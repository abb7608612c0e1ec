import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type PgBoss from "pg-boss";
import type { TDb } from "@/db/client";
import * as schema from "@/db/schema";

/**
 * Runs `fn` in one transaction on one connection of `db`'s pool, handed to it both as a drizzle db and
 * as a pg-boss Db: a job enqueued there commits, or not, together with its run row and audit event.
 */
export async function inQueueTransaction<T>(db: TDb, fn: (tx: TDb, queueDb: PgBoss.Db) => Promise<T>): Promise<T> {
  // drizzle keeps its driver client as $client (not in TDb's type): the app's handles wrap a pg.Pool.
  const pool: unknown = Reflect.get(db, "$client");
  if (!(pool instanceof pg.Pool)) throw new Error("A queue transaction needs a pool-backed database handle");
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(drizzle(client, { schema }) as TDb, { executeSql: (text, values) => client.query(text, values) });
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
