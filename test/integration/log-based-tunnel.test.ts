import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eq } from "drizzle-orm";
import { integrations } from "@/db/schema";
import { enableLogBasedReplication } from "@/lib/replication/log-based";
import { ensureTeamSshKey } from "@/lib/source/ssh-keys";
import { startSshd, type TTestSshd } from "../support/sshd";
import { createEngineWorld, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";

enableLogBasedReplication();

/**
 * Log-based replication as an RDS or bastion user runs it: the source (Debian PostgreSQL 15, wal2json)
 * reached through a real sshd, with TLS verified against the server's CA over the tunnel. Enough
 * changes that the reader pauses and resumes its socket (every 500 messages, and while the destination
 * catches up) on the TLS stream inside the tunnel.
 */
describe("Log-based through an SSH tunnel with verify-full TLS", () => {
  const pg15 = inject("pg15");
  let w: TEngineWorld;
  let sshd: TTestSshd;

  beforeAll(async () => {
    w = await createEngineWorld({ source: "pg15", name: "Log Tunnel" });
    const publicKey = (await ensureTeamSshKey(w.app.db, w.teamId)).publicKey;
    sshd = await startSshd({ authorizedKey: publicKey, permitOpen: `127.0.0.1:${pg15.port} localhost:${pg15.port}` });
    await w.app.db
      .update(integrations)
      .set({ sshEnabled: true, sshHost: sshd.host, sshPort: sshd.port, sshUser: sshd.user, sshHostKey: sshd.hostKey, sslMode: "verify-full", sslCa: pg15.caPem })
      .where(eq(integrations.id, w.integration.id));
    await sqlOn(w.sourceUrl, `CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, payload jsonb, at timestamptz NOT NULL DEFAULT now())`);
    await sqlOn(w.sourceUrl, `INSERT INTO events (id, kind, payload) SELECT g, 'seed', jsonb_build_object('n', g) FROM generate_series(1, 1000) g`);
    await selectTable(w, { name: "events" }, { method: "log_based" });
  });
  afterAll(async () => {
    await sshd?.stop();
    await w?.close();
  });

  const checksum = async (url: string, rel: string, live: boolean) => {
    const [r] = await sqlOn(url, `SELECT count(*)::text || ':' || md5(string_agg(id::text || kind || coalesce(payload::text, '-'), ',' ORDER BY id)) AS c FROM ${rel}${live ? " WHERE _sdc_deleted_at IS NULL" : ""}`);
    return r!.c;
  };

  it("copies, then streams 16k changes in 15 transactions; the destination equals the source", async () => {
    const first = await runJob(w);
    expect(first.error).toBeNull();
    const [slot] = await sqlOn(w.sourceUrl, `SELECT plugin FROM pg_replication_slots WHERE database = current_database()`);
    expect(slot?.plugin).toBe("wal2json");

    for (let i = 0; i < 15; i++) {
      const base = 10_000 + i * 1000;
      await sqlOn(
        w.sourceUrl,
        `INSERT INTO events (id, kind, payload) SELECT g, 'new', jsonb_build_object('n', g, 's', repeat('x', 50)) FROM generate_series(${base}, ${base + 999}) g;
         UPDATE events SET kind = 'changed ' || ${i}, payload = payload || '{"u": true}' WHERE id BETWEEN ${i * 60 + 1} AND ${i * 60 + 60};
         DELETE FROM events WHERE id BETWEEN ${base} AND ${base + 9};`,
      );
    }
    const job = await runJob(w);
    expect(job.error).toBeNull();
    expect(await checksum(w.destUrl, `"${w.schema}".events`, true)).toBe(await checksum(w.sourceUrl, "events", false));
    const [deleted] = await sqlOn(w.destUrl, `SELECT count(*)::text AS n FROM "${w.schema}".events WHERE _sdc_deleted_at IS NOT NULL`);
    expect(deleted!.n).toBe("150");
    const lines = await sqlOn(w.app.url, `SELECT message FROM extraction_log_lines WHERE job_run_id = $1 AND message LIKE 'Read % messages from slot %'`, [job.run.id]);
    expect(lines[0]?.message).toMatch(/^Read \d+ messages from slot stitch_\w+ in [\d.]+ s .*; 16050 changes for tracked tables/);
  });
});
