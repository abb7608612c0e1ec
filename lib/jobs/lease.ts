import pg from "pg";
import { sql, type SQL } from "drizzle-orm";

/**
 * Proof of life for running jobs: the worker holds a session-level advisory lock per job on a connection
 * of its own. PostgreSQL drops the lock the moment that session ends (process killed, machine gone once
 * TCP keepalives give up), so any worker's sweep knows within seconds that nobody holds the job, without
 * guessing from heartbeat ages; and while the lock is held no sweep takes the job away.
 */
export const LEASE_LOCK_CLASS = 1885827685; // "pgre"

/** SQL: true while some session holds the lease of the run whose id is `runId` (a uuid column or value). */
export function leaseHeld(runId: SQL | string): SQL {
  return sql`EXISTS (SELECT 1 FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid = ${sql.raw(String(LEASE_LOCK_CLASS))}::oid AND l.objid = hashtext((${runId})::text)::oid)`;
}

/** How long a run whose lease is gone may stay silent before it counts as dead: three 1 s heartbeats. */
export const DEAD_AFTER_MS = 3_000;

/**
 * SQL: true while some worker still holds the run: its lease, or a heartbeat newer than `staleMs` (a
 * worker that lost only its lease connection still ends the job at its next step and must not find the
 * integration's next job already running).
 */
export function runHeld(runId: SQL, heartbeatAt: SQL, staleMs = DEAD_AFTER_MS): SQL {
  return sql`(${leaseHeld(runId)} OR coalesce(${heartbeatAt} >= now() - make_interval(secs => ${staleMs / 1000}), false))`;
}

export type TLeaseSession = {
  /** Takes the run's lease; false when another session holds it (then this worker must not run the job). */
  acquire(runId: string): Promise<boolean>;
  release(runId: string): Promise<void>;
  /** True once the session that held this run's lease died: a sweep may fail the run, so end it now. */
  lost(runId: string): boolean;
  close(): Promise<void>;
};

export function createLeaseSession(pool: pg.Pool, onError: (err: Error) => void): TLeaseSession {
  let client: Promise<pg.Client> | null = null;
  const held = new Set<string>();
  const lostRuns = new Set<string>();
  let closing = false;

  const connect = (): Promise<pg.Client> => {
    client ??= (async () => {
      const c = new pg.Client({ ...pool.options, application_name: "pgreplicate-lease" });
      let dropped = false;
      const drop = (err: Error) => {
        if (closing || dropped) return;
        dropped = true;
        // Every lease of this session is gone with it; the runs holding them must end.
        for (const id of held) lostRuns.add(id);
        held.clear();
        client = null;
        onError(err);
      };
      c.on("error", drop);
      c.on("end", () => drop(new Error("lease connection closed")));
      await c.connect();
      // A vanished machine's session (no FIN) would keep its locks for hours with default keepalives.
      await c.query("SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3");
      return c;
    })().catch((err: unknown) => {
      client = null;
      throw err;
    });
    return client;
  };

  return {
    async acquire(runId) {
      const c = await connect();
      const r = await c.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok", [LEASE_LOCK_CLASS, runId]);
      if (r.rows[0]?.ok) held.add(runId);
      return r.rows[0]?.ok === true;
    },
    async release(runId) {
      lostRuns.delete(runId);
      if (!held.delete(runId) || !client) return;
      await (await client).query("SELECT pg_advisory_unlock($1, hashtext($2))", [LEASE_LOCK_CLASS, runId]).catch(() => undefined);
    },
    lost: (runId) => lostRuns.has(runId),
    async close() {
      closing = true;
      const c = client;
      client = null;
      held.clear();
      if (c) await (await c).end().catch(() => undefined);
    },
  };
}
