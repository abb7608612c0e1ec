import type pg from "pg";
import type { TDestinationConnection } from "@/lib/destination/connection";

export type TLoaderOptions = {
  conn: TDestinationConnection;
  /** The integration's destination schema. */
  schema: string;
  integrationId: string;
  /** Called with each SQL statement the loader runs (for the extraction log); COPY data never. */
  onSql?: (sql: string) => void;
};

/** What the server offers the merges (see capabilities.ts). */
export type TPgCapabilities = {
  /** Merges are counted with the statistics' per-transaction counters (track_counts on). */
  countByStats: boolean;
  /** MERGE instead of INSERT … ON CONFLICT. */
  useMerge: boolean;
};

/**
 * One destination connection and what every part of the loader shares on it: the options, the
 * server's capabilities, and the TEMP staging tables the session has created (ON COMMIT DELETE ROWS;
 * forgotten on ROLLBACK, which drops the ones its transaction created).
 */
export type TPgSession = {
  readonly client: pg.Client;
  readonly opts: TLoaderOptions;
  readonly caps: TPgCapabilities;
  readonly stagingCreated: Set<string>;
  /**
   * Tables whose insert-only groups met a key already at the destination, so their inserts are merged;
   * shared by a loader and its forks (what one connection learned, the other need not fail again to learn).
   */
  readonly insertsConflict: Set<string>;
};

/** Runs a statement, logged. */
export function run(s: TPgSession, sql: string, params?: unknown[]): Promise<pg.QueryResult> {
  s.opts.onSql?.(sql);
  return s.client.query(sql, params);
}

/** `fn` inside BEGIN … COMMIT; rolled back when it throws. */
export async function inTransaction<T>(s: TPgSession, fn: () => Promise<T>): Promise<T> {
  await s.client.query("BEGIN");
  try {
    const out = await fn();
    await s.client.query("COMMIT");
    return out;
  } catch (err) {
    await s.client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/** A PostgreSQL error's SQLSTATE, if it has one. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  return typeof err.code === "string" ? err.code : undefined;
}
