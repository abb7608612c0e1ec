import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import type { TDestinationLoader } from "@/lib/connectors/postgres/destination";
import type { TStreamEvent } from "@/lib/replication/log-based/decode/events";
import { streamKey } from "@/lib/replication/log-based/decode/stream-key";
import { buildLogTable } from "@/lib/replication/log-based/prepare/table-context";
import { feedEvent, logBasedTable, openApplierDatabases, testApplier, type TApplierDatabases } from "../support/applier";
import { sqlOn } from "../support/engine-harness";

/**
 * The applier shares one destination connection between the write in flight and the DDL for a column
 * the stream brings. A statement queued between two of the write's own would run inside its
 * transaction (and roll back with it): the column must be added only once that write has finished.
 * Real source and destination; the loader is wrapped only to see the order of its calls and to hold the
 * first write open.
 */
describe("a column the stream brings while a batch is being written", () => {
  let dbs: TApplierDatabases;
  let source: pg.Client;
  let loader: TDestinationLoader;

  beforeAll(async () => {
    dbs = await openApplierDatabases("ddl", `CREATE TABLE grow (id int PRIMARY KEY, v text)`, "ddl", "00000000-0000-0000-0000-000000000003");
    ({ source, loader } = dbs);
  });
  afterAll(async () => {
    await dbs?.close();
  });

  it("is added after the write in flight has finished, and its values land", async () => {
    const table = logBasedTable(dbs.srcName, "grow", ["id", "v"]);
    const { t } = await buildLogTable(source, table, "grow", ["id", "v"]);
    await loader.ensureTable(t.spec);
    // Added at the source after the job read its columns: the stream is the first to tell.
    await sqlOn(dbs.srcUrl, `ALTER TABLE grow ADD COLUMN extra text`);

    const calls: string[] = [];
    let release!: () => void;
    const firstWriteHeld = new Promise<void>((r) => (release = r));
    let writes = 0;
    const watched: TDestinationLoader = {
      ...loader,
      async applyChangeGroups(spec, groups, opts) {
        const n = ++writes;
        calls.push(`write ${n} started`);
        if (n === 1) await firstWriteHeld;
        const res = await loader.applyChangeGroups(spec, groups, opts);
        calls.push(`write ${n} finished`);
        return res;
      },
      async ensureTable(spec) {
        calls.push("ensureTable");
        return loader.ensureTable(spec);
      },
    };
    const applier = testApplier({ source, t, loader: watched });
    const feed = (event: TStreamEvent) => feedEvent(applier, event);
    const insert = (columns: string[], values: string[]): TStreamEvent => ({ kind: "change", op: "insert", schema: "public", table: "grow", relKey: streamKey("public", "grow"), columns, values, types: null, identity: null });

    // A transaction big enough to start a write at its commit (held open by the wrapper)…
    await feed({ kind: "begin", commitLsn: 0x100n, commitTime: "2026-01-01T00:00:01Z" });
    for (let i = 1; i <= 2500; i++) await feed(insert(["id", "v"], [String(i), "a"]));
    await feed({ kind: "commit", endLsn: 0x110n, commitTime: "2026-01-01T00:00:01Z" });
    expect(calls).toEqual(["write 1 started"]);
    // …then one carrying the new column, written by the final flush.
    await feed({ kind: "begin", commitLsn: 0x200n, commitTime: "2026-01-01T00:00:02Z" });
    await feed(insert(["id", "v", "extra"], ["9999", "b", "new"]));
    await feed({ kind: "commit", endLsn: 0x210n, commitTime: "2026-01-01T00:00:02Z" });
    const finishing = applier.finish();
    // Room for a wrongly ordered applier to issue its DDL while the first write is still open.
    await new Promise((r) => setTimeout(r, 300));
    release();
    await finishing;

    expect(calls).toEqual(["write 1 started", "write 1 finished", "ensureTable", "write 2 started", "write 2 finished"]);
    expect(await sqlOn(dbs.destUrl, `SELECT count(*)::int AS n, count(extra)::int AS with_extra, max(extra) AS extra FROM ddl.grow`)).toEqual([{ n: "2501", with_extra: "1", extra: "new" }]);
    expect(applier.committedLsn()).toBe(0x210n);
  });
});
