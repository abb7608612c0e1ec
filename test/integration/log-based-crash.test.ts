import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import pg from "pg";
import type PgBoss from "pg-boss";
import { startQueue } from "@/lib/jobs/queue";
import { enqueueJob, failAbandonedRuns, getJobRun } from "@/lib/jobs/runs";
import { enableLogBasedReplication } from "@/lib/replication/log-based";
import type { TLogBasedFaultPoint } from "@/lib/replication/log-based/faults";
import { parseLsn } from "@/lib/replication/log-based/lsn";
import { createEngineWorld, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";
import { waitFor } from "../support/wait";

enableLogBasedReplication();

/** The worker process with a fault point armed; resolves once it waits there. */
function spawnFaultyWorker(databaseUrl: string, point: TLogBasedFaultPoint, mode: "sync" | "async"): { child: ChildProcess; reached: Promise<void> } {
  const root = resolve(import.meta.dirname, "../..");
  const child = spawn(process.execPath, ["--import", "tsx", resolve(import.meta.dirname, "log-based-worker-child.ts")], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, APP_SECRET: process.env.APP_SECRET, WORKER_CONCURRENCY: "1", LOG_LEVEL: "warn", PGR_FAULT_POINT: point, PGR_FAULT_MODE: mode },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const reached = new Promise<void>((res, rej) => {
    let out = "";
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes(`FAULT ${point}`)) res();
    });
    child.once("exit", (code) => rej(new Error(`worker exited (${code}) before reaching ${point}`)));
  });
  return { child, reached };
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

/** Kill the worker with SIGKILL at each dangerous moment; the next job must make destination = source. */
describe.each([
  { plugin: "pgoutput", source: "embedded" as const },
  { plugin: "wal2json", source: "pg15" as const },
])("Log-based crash safety through $plugin", ({ plugin, source }) => {
  let w: TEngineWorld;
  let boss: PgBoss;
  const children: ChildProcess[] = [];
  let expectedNokeyRows = 0;

  beforeAll(async () => {
    w = await createEngineWorld({ source, name: `Crash ${plugin}` });
    await sqlOn(
      w.sourceUrl,
      `CREATE TABLE items (id int PRIMARY KEY, payload text, n numeric);
       INSERT INTO items SELECT g, md5(g::text), g / 7.0 FROM generate_series(1, 300000) g;
       CREATE TABLE nokey (a int, b text);
       ALTER TABLE nokey REPLICA IDENTITY FULL;`,
    );
    await selectTable(w, { name: "items" }, { method: "log_based" });
    await selectTable(w, { name: "nokey" }, { method: "log_based" });
    boss = await startQueue(w.app.url);
  });
  afterAll(async () => {
    for (const c of children) await killHard(c);
    await boss?.stop({ graceful: false, wait: true });
    await w?.close();
  });

  async function crashAt(point: TLogBasedFaultPoint, mode: "sync" | "async", holdMs = 0): Promise<string> {
    const { child, reached } = spawnFaultyWorker(w.app.url, point, mode);
    children.push(child);
    const res = await enqueueJob(w.app.db, boss, { teamId: w.teamId, integrationId: w.integration.id, kind: "extract", trigger: "manual" });
    if (!res.enqueued) throw new Error(res.reason);
    try {
      await reached;
      // With the event loop alive, a library timer would acknowledge what was received by now (its issue #174).
      if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
    } finally {
      await killHard(child);
    }
    expect((await getJobRun(w.app.db, res.jobRunId))?.status).toBe("running");
    // What a live worker's sweep does once the dead run's lease is gone: fail the run and its queue job,
    // which would hold the integration's next queued job back. PostgreSQL drops the killed worker's lease
    // when it notices the closed connection, a moment after the process is gone: swept until it has.
    await waitFor(async () => (await failAbandonedRuns(w.app.db, 0, boss)) === 1, 30_000, "the sweep to fail the dead run");
    return res.jobRunId;
  }

  async function slotConfirmed(): Promise<string | null> {
    const [s] = await sqlOn(w.sourceUrl, `SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE database = current_database()`);
    return s?.c ?? null;
  }

  /** `a` is before (or at, with `orEqual`) `b`; both positions are in the failure message. */
  function expectLsnBefore(what: string, a: string, b: string, orEqual: boolean) {
    const ok = orEqual ? parseLsn(a) <= parseLsn(b) : parseLsn(a) < parseLsn(b);
    expect({ what, a, b, ok }).toEqual({ what, a, b, ok: true });
  }

  /** Insert position of the source's WAL now: at or after the end of every transaction committed so far. */
  async function sourceWalNow(): Promise<string> {
    const [r] = await sqlOn(w.sourceUrl, `SELECT pg_current_wal_insert_lsn()::text AS l`);
    return r!.l!;
  }

  /** The slot's confirmed position is at or before every position the destination saved (both tables have one). */
  async function expectSlotNotAhead(): Promise<{ confirmed: string; saved: string[] }> {
    const confirmed = await slotConfirmed();
    if (confirmed === null) throw new Error("the integration's slot is gone");
    const rows = await sqlOn(w.destUrl, `SELECT state->>'lsn' AS lsn FROM _pgreplicate.table_states WHERE integration_id = $1`, [w.integration.id]);
    const saved = rows.map((r) => r.lsn!);
    expect(saved).toHaveLength(2);
    for (const lsn of saved) expectLsnBefore("slot confirmed <= table's saved position", confirmed, lsn, true);
    return { confirmed, saved };
  }

  /** Rows at the destination that only the given source transaction wrote (payload `<tag><id>`, nokey b = `<tag>`). */
  async function destinationRowsOf(tag: string): Promise<{ items: string; nokey: string }> {
    const [i] = await sqlOn(w.destUrl, `SELECT count(*)::text AS n FROM "${w.schema}".items WHERE payload = $1 || id::text`, [tag]);
    const [k] = await sqlOn(w.destUrl, `SELECT count(*)::text AS n FROM "${w.schema}".nokey WHERE b = $1`, [tag]);
    return { items: i!.n!, nokey: k!.n! };
  }

  async function expectDestinationEqualsSource() {
    const src = await sqlOn(w.sourceUrl, `SELECT id::text, payload, n::text FROM items ORDER BY id`);
    const dst = await sqlOn(w.destUrl, `SELECT id::text, payload, n::text FROM "${w.schema}".items WHERE _sdc_deleted_at IS NULL ORDER BY id`);
    expect(dst.length).toBe(src.length);
    expect(dst).toEqual(src);
    const [dup] = await sqlOn(w.destUrl, `SELECT count(*)::text AS n, count(DISTINCT id)::text AS d FROM "${w.schema}".items`);
    expect(dup!.n).toBe(dup!.d);
    const [nk] = await sqlOn(w.destUrl, `SELECT count(*)::text AS n FROM "${w.schema}".nokey`);
    // Keyless rows are appended: a replayed transaction would show up twice.
    expect(Number(nk!.n)).toBe(expectedNokeyRows);
  }

  /** The job after a crash: it succeeds, the destination equals the source, the slot is not ahead of it. */
  async function expectNextJobConverges(): Promise<void> {
    const job = await runJob(w);
    if (process.env.DEBUG_LOG) console.log((await sqlOn(w.app.url, `SELECT ts::text, level::text, message FROM extraction_log_lines WHERE job_run_id = $1 ORDER BY id`, [job.run.id])).map((l) => `${l.ts} ${l.level} ${l.message!.slice(0, 200)}`).join("\n"));
    expect(job.error).toBeNull();
    await expectDestinationEqualsSource();
    await expectSlotNotAhead();
  }

  it("(a) killed during the first copy: nothing half-copied is saved; the next job copies and replays", async () => {
    await crashAt("copy-in-progress", "sync");
    const [state] = await sqlOn(w.destUrl, `SELECT count(*)::text AS n FROM _pgreplicate.table_states WHERE integration_id = $1 AND table_key LIKE '%items%'`, [w.integration.id]).catch(() => [{ n: "0" }]);
    expect(state?.n).toBe("0");
    expect(await slotConfirmed()).not.toBeNull();
    await sqlOn(w.sourceUrl, `UPDATE items SET payload = 'after crash a' WHERE id % 1000 = 0; DELETE FROM items WHERE id % 999 = 0; INSERT INTO nokey VALUES (1, 'x')`);
    expectedNokeyRows += 1;
    await expectNextJobConverges();
  });

  it("(b) killed after receiving changes and before committing them: the slot was not confirmed past the destination", async () => {
    const before = await expectSlotNotAhead();
    // One transaction (one simple-protocol query), some 25 MB of WAL.
    await sqlOn(w.sourceUrl, `UPDATE items SET payload = 'b' || id WHERE id % 3 = 0; INSERT INTO nokey SELECT g, 'b' FROM generate_series(1, 500) g; DELETE FROM items WHERE id % 500 = 1`);
    const txEnd = await sourceWalNow();
    expectedNokeyRows += 500;
    // Held for 12 s with the event loop running: longer than the library's 10 s acknowledgement timer.
    await crashAt("changes-received", "async", 12_000);
    const after = await expectSlotNotAhead();
    // The held job committed none of the transaction: the fault point holds what its name says.
    expect(await destinationRowsOf("b")).toEqual({ items: "0", nokey: "0" });
    // The slot may still have moved on, and legitimately: while the server decodes this transaction the
    // reader is idle, and a keepalive's position (inside the transaction, whose commit is still ahead) is
    // saved and acknowledged — see (d). What must hold: no table's saved position, and so not the slot,
    // passed the commit of a transaction the destination lacks (the next job would skip it).
    expectLsnBefore("slot confirmed did not go back", before.confirmed, after.confirmed, true);
    for (const lsn of after.saved) expectLsnBefore("saved position is before the unapplied transaction's end", lsn, txEnd, false);
    await sqlOn(w.sourceUrl, `INSERT INTO items VALUES (300001, 'new after b', 1); INSERT INTO nokey VALUES (2, 'y')`);
    expectedNokeyRows += 1;
    await expectNextJobConverges();
  });

  it("(c) killed after committing and before acknowledging: the next job skips what the destination has", async () => {
    await sqlOn(w.sourceUrl, `UPDATE items SET n = n + 1 WHERE id % 5 = 0; INSERT INTO nokey SELECT g, 'c' FROM generate_series(1, 300) g`);
    expectedNokeyRows += 300;
    const confirmedBefore = await slotConfirmed();
    await crashAt("changes-committed", "async", 3_000);
    const after = await expectSlotNotAhead();
    // The destination moved on with the write that had rows (the fault point is reached only after one),
    // and the slot was not acknowledged past it; the next job reads what follows again. (An idle save
    // before that write may have moved the slot too, legitimately: see (b) and (d).)
    expect(after.saved.some((lsn) => lsn !== confirmedBefore)).toBe(true);
    await sqlOn(w.sourceUrl, `UPDATE items SET payload = 'after c' WHERE id = 5; INSERT INTO nokey VALUES (3, 'z')`);
    expectedNokeyRows += 1;
    await expectNextJobConverges();
  });

  it("(d) the slot is confirmed past the changes of a transaction still open at the source: they are applied once it commits", async () => {
    // What (b) meets when the server is slow to decode: the reader saves and acknowledges a position inside
    // a transaction whose commit has not been decoded yet. Here the transaction is held open, so the job
    // ends (at its read target, after the transaction's changes) before the commit exists.
    const open = new pg.Client({ connectionString: w.sourceUrl });
    await open.connect();
    try {
      await open.query("BEGIN");
      await open.query(`UPDATE items SET payload = 'd' || id WHERE id % 7 = 0; INSERT INTO nokey SELECT g, 'd' FROM generate_series(1, 50) g; DELETE FROM items WHERE id % 700 = 3`);
      const changesEnd = (await open.query<{ l: string }>(`SELECT pg_current_wal_insert_lsn()::text AS l`)).rows[0]!.l;
      const job = await runJob(w);
      expect(job.error).toBeNull();
      const after = await expectSlotNotAhead();
      expectLsnBefore("slot confirmed past the open transaction's changes", changesEnd, after.confirmed, false);
      expect(await destinationRowsOf("d")).toEqual({ items: "0", nokey: "0" });
      await open.query("COMMIT");
    } finally {
      await open.end();
    }
    expectedNokeyRows += 50;
    await expectNextJobConverges();
    expect(Number((await destinationRowsOf("d")).items)).toBeGreaterThan(0);
  });
});
