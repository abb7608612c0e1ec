import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import type { TDestinationLoader } from "@/lib/connectors/postgres/destination";
import type { TStreamEvent } from "@/lib/replication/log-based/decode/events";
import type { StreamApplier } from "@/lib/replication/log-based/apply";
import { streamKey } from "@/lib/replication/log-based/decode/stream-key";
import { buildLogTable, type TLogTable } from "@/lib/replication/log-based/prepare/table-context";
import { feedEvent, logBasedTable, openApplierDatabases, testApplier, type TApplierDatabases } from "../support/applier";
import { sqlOn } from "../support/engine-harness";
import { waitFor } from "../support/wait";

/**
 * Two destination connections: a batch's COPY runs while the previous batch merges on the other one.
 * Sharing a key with it, its merges and commit wait for that commit; with keys apart (and a key type
 * with one text per value) it merges at once and only its commit waits. Either way positions are saved
 * in order, and a failure of the previous batch rolls it back: no position past a batch the destination
 * lacks is saved. Real source and destination; the loaders are wrapped only to hold the first write
 * and record order.
 */
describe("overlapping batch writes on two destination connections", () => {
  let dbs: TApplierDatabases;
  let source: pg.Client;
  let main: TDestinationLoader;
  let spare: TDestinationLoader;

  beforeAll(async () => {
    dbs = await openApplierDatabases("ovl", `CREATE TABLE pair (id int PRIMARY KEY, v text); CREATE TABLE pair_num (id numeric PRIMARY KEY, v text)`, "ovl", "00000000-0000-0000-0000-000000000004");
    ({ source, loader: main } = dbs);
    spare = await main.fork();
  });
  afterAll(async () => {
    await spare?.close();
    await dbs?.close();
  });

  const change = (sourceTable: string, op: "insert" | "update", id: number, v: string): TStreamEvent => ({ kind: "change", op, schema: "public", table: sourceTable, relKey: streamKey("public", sourceTable), columns: ["id", "v"], values: [String(id), v], types: null, identity: null });

  type TSetUp = { t: TLogTable; calls: string[]; release(): void; applier: StreamApplier; spareOpened(): number; feedTransaction(lsn: bigint, ids: number[], v: (id: number) => string, op?: "insert" | "update"): Promise<void> };

  async function setUp(destTable: string, withSpare = true, sourceTable = "pair"): Promise<TSetUp> {
    const table = logBasedTable(dbs.srcName, sourceTable, ["id", "v"]);
    const { t } = await buildLogTable(source, table, destTable, ["id", "v"]);
    await main.ensureTable(t.spec);
    await sqlOn(dbs.destUrl, `DELETE FROM _pgreplicate.table_states`); // each test starts with no saved position
    const calls: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let writes = 0;
    const watch = (loader: TDestinationLoader, name: string): TDestinationLoader => ({
      ...loader,
      async applyChangeGroups(spec, groups, opts) {
        const n = ++writes;
        calls.push(`write ${n} started on ${name}`);
        if (n === 1) await held;
        try {
          const res = await loader.applyChangeGroups(spec, groups, opts);
          calls.push(`write ${n} committed`);
          return res;
        } catch (err) {
          calls.push(`write ${n} failed`);
          throw err;
        }
      },
    });
    let spareOpened = 0;
    const openSpare = async () => {
      spareOpened++;
      return watch(spare, "spare");
    };
    const applier = testApplier({ source, t, loader: watch(main, "main"), openSpare: withSpare ? openSpare : null });
    const feed = (event: TStreamEvent) => feedEvent(applier, event);
    return {
      t,
      calls,
      release,
      applier,
      spareOpened: () => spareOpened,
      async feedTransaction(lsn, ids, v, op = "insert") {
        await feed({ kind: "begin", commitLsn: lsn, commitTime: "2026-01-01T00:00:01Z" });
        for (const id of ids) await feed(change(sourceTable, op, id, v(id)));
        await feed({ kind: "commit", endLsn: lsn + 0x10n, commitTime: "2026-01-01T00:00:01Z" });
      },
    };
  }

  /** Room for a wrongly ordered applier to act while the first write is held (only before "nothing happened" checks). */
  const meanwhile = () => new Promise((r) => setTimeout(r, 300));
  /** Waits for the state a correct applier reaches while the first write is held (an event, not a delay). */
  const until = (what: string, check: () => Promise<boolean>) => waitFor(async () => (await check()) || null, 60_000, what);
  const BOTH_STARTED = ["write 1 started on main", "write 2 started on spare"];
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  /** Sessions with a transaction open and waiting for the worker (a batch copied, its merges held back). */
  const spareState = async () => {
    const pid = (await sqlOn(dbs.destUrl, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'`)) as { pid: number }[];
    return pid.length;
  };
  /** Sessions whose merges have run and that wait, in the database, for the write before theirs to end. */
  const waitingToCommit = async () => {
    const rows = (await sqlOn(dbs.destUrl, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND wait_event_type = 'Lock' AND wait_event = 'advisory'`)) as { pid: number }[];
    return rows.length;
  };
  const rowsOf = (table: string) => sqlOn(dbs.destUrl, `SELECT v, count(*)::int AS n FROM ovl.${table} GROUP BY v ORDER BY v`);

  it("copies the next batch while the first is held, merges it only after the first commits, and saves the last position", async () => {
    const s = await setUp("pair_ok");
    await s.feedTransaction(0x100n, range(1, 2500), () => "first");
    // The second transaction rewrites half of the first one's rows: it must land over them, not under.
    await s.feedTransaction(0x200n, range(1251, 2500), () => "second");
    await until("the spare write to copy and wait", async () => (await spareState()) === 1);
    expect(s.calls).toEqual(BOTH_STARTED);
    // The spare connection has copied into staging and waits, its transaction open; nothing is visible yet.
    expect(await spareState()).toBe(1);
    expect(await waitingToCommit()).toBe(0);
    expect(await rowsOf("pair_ok")).toEqual([]);
    s.release();
    await s.applier.finish();
    expect(s.calls).toEqual([...BOTH_STARTED, "write 1 committed", "write 2 committed"]);
    expect(await rowsOf("pair_ok")).toEqual([
      { v: "first", n: "1250" },
      { v: "second", n: "2500" },
    ]);
    expect(s.applier.committedLsn()).toBe(0x210n);
    expect((await main.readState(s.t.table.tableKey))?.lsn).toBe("0/210");
    expect(s.spareOpened()).toBe(1);
  });

  it("merges a batch whose keys are apart from the held one's at once, and commits it only after that one", async () => {
    const s = await setUp("pair_apart");
    await s.feedTransaction(0x900n, range(1, 2500), () => "first");
    await s.feedTransaction(0xa00n, range(5001, 2500), () => "second");
    await until("the second write to merge and wait to commit", async () => (await waitingToCommit()) === 1);
    expect(s.calls).toEqual(BOTH_STARTED);
    // Its merges have run (the wait is the statement after them); nothing is visible before the first commits.
    expect(await waitingToCommit()).toBe(1);
    expect(await spareState()).toBe(0);
    expect(await rowsOf("pair_apart")).toEqual([]);
    expect(await main.readState(s.t.table.tableKey)).toBeNull();
    s.release();
    await s.applier.finish();
    expect(s.calls).toEqual([...BOTH_STARTED, "write 1 committed", "write 2 committed"]);
    expect(await rowsOf("pair_apart")).toEqual([
      { v: "first", n: "2500" },
      { v: "second", n: "2500" },
    ]);
    expect(s.applier.committedLsn()).toBe(0xa10n);
    expect((await main.readState(s.t.table.tableKey))?.lsn).toBe("0/A10");
  });

  it("does not merge alongside for a key type whose different texts can be one value (numeric 7.0 and 7.00)", async () => {
    const s = await setUp("pair_num", true, "pair_num");
    await s.feedTransaction(0xc00n, range(1, 2500), () => "first");
    await s.feedTransaction(0xd00n, range(5001, 2500), () => "second");
    await until("the spare write to copy and wait", async () => (await spareState()) === 1);
    expect(s.calls).toEqual(BOTH_STARTED);
    expect(await spareState()).toBe(1);
    expect(await waitingToCommit()).toBe(0);
    s.release();
    await s.applier.finish();
    expect(await rowsOf("pair_num")).toEqual([
      { v: "first", n: "2500" },
      { v: "second", n: "2500" },
    ]);
    expect((await main.readState(s.t.table.tableKey))?.lsn).toBe("0/D10");
  });

  it("writes a batch again after the one before when a unique index of the destination's own ties them", async () => {
    const s = await setUp("pair_uniq");
    // Row 7 holds 'taken' until the first batch moves it on; the second gives 'taken' to a new row.
    await sqlOn(dbs.destUrl, `CREATE UNIQUE INDEX pair_uniq_v ON ovl.pair_uniq (v); INSERT INTO ovl.pair_uniq (id, v) VALUES (7, 'taken')`);
    await s.feedTransaction(0xe00n, range(1, 2500), (id) => (id === 7 ? "moved on" : `a${id}`), "update");
    await s.feedTransaction(0xf00n, range(5001, 2500), (id) => (id === 5001 ? "taken" : `b${id}`));
    await until("the second write to fail", async () => s.calls.includes("write 2 failed"));
    // Merged alongside, the second met row 7's value at once; it waits for the first, its rows undone.
    expect(s.calls).toEqual([...BOTH_STARTED, "write 2 failed"]);
    expect(await spareState()).toBe(0);
    s.release();
    await s.applier.finish();
    expect(s.calls).toEqual([...BOTH_STARTED, "write 2 failed", "write 1 committed", "write 3 started on spare", "write 3 committed"]);
    expect(await sqlOn(dbs.destUrl, `SELECT id, v FROM ovl.pair_uniq WHERE id IN (7, 5001) ORDER BY id`)).toEqual([
      { id: "7", v: "moved on" },
      { id: "5001", v: "taken" },
    ]);
    expect(await sqlOn(dbs.destUrl, `SELECT count(*)::int AS n FROM ovl.pair_uniq`)).toEqual([{ n: "5000" }]);
    expect((await main.readState(s.t.table.tableKey))?.lsn).toBe("0/F10");
  });

  it("ends two batches that wait for each other through a unique index of the destination's own: an error, not a hang", async () => {
    const s = await setUp("pair_dead");
    // Both batches give 'dup' to a row: the second (merged first) holds it; the first then waits for
    // the second's row while the second waits for the first to commit. PostgreSQL sees the cycle.
    await sqlOn(dbs.destUrl, `CREATE UNIQUE INDEX pair_dead_v ON ovl.pair_dead (v)`);
    await s.feedTransaction(0x1100n, range(1, 2500), (id) => (id === 1 ? "dup" : `a${id}`));
    await s.feedTransaction(0x1200n, range(5001, 2500), (id) => (id === 5001 ? "dup" : `b${id}`));
    await until("the second write to merge and wait to commit", async () => (await waitingToCommit()) === 1);
    expect(await waitingToCommit()).toBe(1);
    s.release();
    const started = Date.now();
    // In order the second batch cannot land either (two rows with 'dup'): the job fails and says why.
    await expect(s.applier.finish()).rejects.toThrow(/duplicate key value violates unique constraint "pair_dead_v"/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await sqlOn(dbs.destUrl, `SELECT count(*)::int AS n FROM ovl.pair_dead WHERE id > 5000`)).toEqual([{ n: "0" }]);
    expect(await sqlOn(dbs.destUrl, `SELECT count(*)::int AS n FROM ovl.pair_dead`)).toEqual([{ n: "2500" }]);
    expect(s.applier.committedLsn()).toBe(0x1110n);
    expect((await main.readState(s.t.table.tableKey))?.lsn).toBe("0/1110");
    expect(await spareState()).toBe(0);
    expect(await waitingToCommit()).toBe(0);
  });

  it("opens no second connection for a job whose writes never overlap", async () => {
    const s = await setUp("pair_small");
    s.release();
    await s.feedTransaction(0xb00n, range(1, 10), () => "small");
    await s.applier.finish();
    expect(s.calls).toEqual(["write 1 started on main", "write 1 committed"]);
    expect(s.spareOpened()).toBe(0);
    expect(await sqlOn(dbs.destUrl, `SELECT count(*)::int AS n FROM ovl.pair_small`)).toEqual([{ n: "10" }]);
  });

  it("rolls the next batch back when the first fails, though it merged alongside: no position past the failed batch is saved", async () => {
    const s = await setUp("pair_fail");
    // The first batch carries a value the destination refuses.
    await sqlOn(dbs.destUrl, `ALTER TABLE ovl.pair_fail ADD CONSTRAINT no_bad CHECK (v <> 'bad')`);
    await s.feedTransaction(0x300n, range(1, 2500), (id) => (id === 7 ? "bad" : "fine"));
    await s.feedTransaction(0x400n, range(5001, 2500), () => "later");
    await until("the second write to merge and wait to commit", async () => (await waitingToCommit()) === 1);
    expect(s.calls).toEqual(BOTH_STARTED);
    expect(await waitingToCommit()).toBe(1);
    s.release();
    await expect(s.applier.finish()).rejects.toThrow(/no_bad/);
    expect(s.calls).toEqual([...BOTH_STARTED, "write 1 failed", "write 2 failed"]);
    expect(await sqlOn(dbs.destUrl, `SELECT count(*)::int AS n FROM ovl.pair_fail`)).toEqual([{ n: "0" }]);
    expect(s.applier.committedLsn()).toBe(1n);
    expect(await main.readState(s.t.table.tableKey)).toBeNull();
    expect(await spareState()).toBe(0);
  });

  it("a position saved alone (a transaction without changes for the table) waits for the batch before it", async () => {
    const s = await setUp("pair_state");
    await sqlOn(dbs.destUrl, `ALTER TABLE ovl.pair_state ADD CONSTRAINT no_bad CHECK (v <> 'bad')`);
    await s.feedTransaction(0x500n, range(1, 2500), (id) => (id === 9 ? "bad" : "fine"));
    await s.feedTransaction(0x600n, [], () => "none");
    const finishing = s.applier.finish();
    await meanwhile();
    // Saved now, 0/610 would claim rows the destination is about to lose.
    expect(await main.readState(s.t.table.tableKey)).toBeNull();
    s.release();
    await expect(finishing).rejects.toThrow(/no_bad/);
    expect(await main.readState(s.t.table.tableKey)).toBeNull();
    expect(s.applier.committedLsn()).toBe(1n);
  });

  it("with one connection too, a batch waiting for a failed one is not written", async () => {
    const s = await setUp("pair_single", false);
    await sqlOn(dbs.destUrl, `ALTER TABLE ovl.pair_single ADD CONSTRAINT no_bad CHECK (v <> 'bad')`);
    await s.feedTransaction(0x700n, range(1, 2500), (id) => (id === 3 ? "bad" : "fine"));
    await s.feedTransaction(0x800n, range(5001, 2500), () => "later");
    const finishing = s.applier.finish();
    await meanwhile();
    s.release();
    await expect(finishing).rejects.toThrow(/no_bad/);
    expect(s.calls).toEqual(["write 1 started on main", "write 1 failed"]);
    expect(await sqlOn(dbs.destUrl, `SELECT count(*)::int AS n FROM ovl.pair_single`)).toEqual([{ n: "0" }]);
    expect(await main.readState(s.t.table.tableKey)).toBeNull();
  });
});
