import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteIdent } from "@/lib/naming/identifiers";
import { enableLogBasedReplication } from "@/lib/replication/log-based";
import { latestVerifications, newVerifyStats, recordVerification, verificationLabel, verificationsOfRun, VerifyStopped } from "@/lib/verify";
import { createEngineWorld, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";
import { verificationTargets } from "@/lib/verify";
import { repairWorld, verifyWorld } from "../support/verify-harness";

enableLogBasedReplication();

const MIXED = 'Mixed "Case" .tbl';

describe("Verify finds, Repair mends only the differing rows", () => {
  let w: TEngineWorld;
  const dest = (t: string) => `${quoteIdent(w.schema)}.${quoteIdent(t)}`;
  const opts = { rangeRows: 400, leafRows: 40 };

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Verify Repair" });
    await sqlOn(
      w.sourceUrl,
      `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
       CREATE TABLE "Mixed ""Case"" .tbl" ("Region Id" text, "n" int, "Weird, col" text, amount numeric(10,3), PRIMARY KEY ("Region Id", "n"));
       INSERT INTO "Mixed ""Case"" .tbl" SELECT 'région ' || (g % 7), g, 'v''' || g, g * 0.5 FROM generate_series(1, 2000) g;
       CREATE TABLE accounts (id bigint PRIMARY KEY, owner text, balance numeric(14,2));
       INSERT INTO accounts SELECT g, 'owner ' || g, g * 10 FROM generate_series(1, 2000) g;
       CREATE TABLE nokey (a int, b text);
       INSERT INTO nokey SELECT g % 50, 'b ' || g FROM generate_series(1, 500) g;
       CREATE TABLE moods (m mood PRIMARY KEY, v int);
       INSERT INTO moods VALUES ('sad', 1), ('ok', 2), ('happy', 3);`,
    );
    await selectTable(w, { name: MIXED }, { method: "full_table" });
    await selectTable(w, { name: "accounts" }, { method: "log_based" });
    await selectTable(w, { name: "nokey" }, { method: "full_table" });
    await selectTable(w, { name: "moods" }, { method: "full_table" });
    const job = await runJob(w);
    expect(job.error).toBeNull();
  });
  afterAll(async () => {
    await w?.close();
  });

  it("is Identical for a mixed-case, composite-key table, a keyless table (count + hash) and an enum key", async () => {
    const v = await verifyWorld(w, opts);
    expect(v.byTable(MIXED)).toMatchObject({ status: "identical", sourceRows: 2000, destinationRows: 2000, compared: "ranges" });
    expect(v.byTable("nokey")).toMatchObject({ status: "identical", sourceRows: 500, destinationRows: 500, compared: "whole_table" });
    // An enum sorts by its declaration at the source, as text at the destination: ranges would not match.
    expect(v.byTable("moods")).toMatchObject({ status: "identical", compared: "whole_table" });
    expect(v.byTable("moods").note).toContain("sorts differently");
  });

  it("stores verdicts per table, read back only through the integration's team", async () => {
    const job = await runJob(w);
    expect(job.error).toBeNull();
    await sqlOn(w.destUrl, `UPDATE ${dest("accounts")} SET owner = 'stored' WHERE id = 5`);
    const v = await verifyWorld(w, opts);
    for (const result of v.results) await recordVerification(w.app.db, { teamId: w.teamId, integrationId: w.integration.id, jobRunId: job.run.id, result });
    const latest = await latestVerifications(w.app.db, w.teamId, w.integration.id);
    expect(latest.map((r) => [r.tableKey.split(".").pop(), r.status, verificationLabel(r)])).toEqual(
      expect.arrayContaining([['"accounts"', "differs", "1 row differs"], ['"nokey"', "identical", "Identical"]]),
    );
    expect(latest.find((r) => r.tableKey.endsWith('"accounts"'))?.firstKeys).toEqual([{ kind: "changed", key: { id: "5" } }]);
    expect(await verificationsOfRun(w.app.db, w.teamId, w.integration.id, job.run.id)).toHaveLength(4);
    const stranger = "00000000-0000-4000-8000-000000000000";
    await expect(latestVerifications(w.app.db, stranger, w.integration.id)).rejects.toThrow("No such integration");
    await expect(recordVerification(w.app.db, { teamId: stranger, integrationId: w.integration.id, jobRunId: null, result: v.results[0]! })).rejects.toThrow();
    await repairWorld(w, opts);
  });

  it("a keyless table that differs is reported without keys", async () => {
    await sqlOn(w.destUrl, `UPDATE ${dest("nokey")} SET b = 'x' WHERE ctid = (SELECT min(ctid) FROM ${dest("nokey")})`);
    const changed = (await verifyWorld(w, opts)).byTable("nokey");
    expect(changed).toMatchObject({ status: "differs", sourceRows: 500, destinationRows: 500, firstKeys: [], compared: "whole_table" });
    expect(changed.differing).toBeGreaterThan(0);
    await sqlOn(w.destUrl, `INSERT INTO ${dest("nokey")} (a, b) VALUES (1, 'extra')`);
    expect((await verifyWorld(w, opts)).byTable("nokey")).toMatchObject({ status: "differs", sourceRows: 500, destinationRows: 501 });
  });

  it("repairs exactly the differing rows of a composite-key table, then Verify is Identical", async () => {
    const t = dest(MIXED);
    await sqlOn(
      w.destUrl,
      `UPDATE ${t} SET "Weird, col" = 'tampered' WHERE "n" IN (3, 700, 1999);
       DELETE FROM ${t} WHERE "n" IN (10, 1500);
       INSERT INTO ${t} ("Region Id", "n", "Weird, col") VALUES ('région 1', 5000, 'x'), ('zzz', 1, 'x'), ('région 0', 0, 'x'), ('a"b', 2, 'x');`,
    );
    const before = await sqlOn<{ k: string; x: string }>(w.destUrl, `SELECT "Region Id" || '/' || "n" AS k, xmin::text AS x FROM ${t}`);
    const r = await repairWorld(w, opts);
    const m = r.byTable(MIXED);
    expect(m.before).toMatchObject({ status: "differs", differing: 9 });
    expect(m.before.firstKeys).toEqual(
      expect.arrayContaining([
        { kind: "changed", key: { "Region Id": "région 3", n: "3" } },
        { kind: "missing", key: { "Region Id": "région 3", n: "10" } },
        { kind: "extra", key: { "Region Id": 'a"b', n: "2" } },
      ]),
    );
    expect(m.repairedRows).toBe(9);
    expect(m.after).toMatchObject({ status: "identical", differing: 0, sourceRows: 2000, destinationRows: 2000 });
    const after = await sqlOn<{ k: string; x: string }>(w.destUrl, `SELECT "Region Id" || '/' || "n" AS k, xmin::text AS x FROM ${t}`);
    const old = new Map(before.map((b) => [b.k, b.x]));
    const rewritten = after.filter((a) => old.get(a.k) !== a.x).map((a) => a.k).sort();
    expect(rewritten).toEqual(["région 0/700", "région 3/10", "région 3/3", "région 4/1999", "région 2/1500"].sort());
    expect((await verifyWorld(w, opts)).byTable(MIXED)).toMatchObject({ status: "identical" });
  });

  it("Log-based: a row extra at the destination is marked deleted, a missing one copied again", async () => {
    const t = dest("accounts");
    await sqlOn(w.destUrl, `DELETE FROM ${t} WHERE id = 42; UPDATE ${t} SET balance = -1 WHERE id = 43; INSERT INTO ${t} (id, owner) VALUES (9000, 'ghost')`);
    const r = (await repairWorld(w, opts)).byTable("accounts");
    expect(r.before).toMatchObject({ status: "differs", differing: 3 });
    expect(r.repairedRows).toBe(3);
    expect(r.after.status).toBe("identical");
    const rows = await sqlOn(w.destUrl, `SELECT id::text, balance::text, (_sdc_deleted_at IS NOT NULL)::text AS deleted FROM ${t} WHERE id IN (42, 43, 9000) ORDER BY id`);
    expect(rows).toEqual([
      { id: "42", balance: "420.00", deleted: "false" },
      { id: "43", balance: "430.00", deleted: "false" },
      { id: "9000", balance: null, deleted: "true" },
    ]);
  });

  it("a change at the source that reaches the destination while Verify reads its snapshot is not reported", async () => {
    const stats = newVerifyStats();
    let changed = false;
    const v = await verifyWorld(w, {
      ...opts,
      stats,
      afterSourceSnapshot: async (target) => {
        if (!target.tableKey.endsWith('"accounts"') || changed) return;
        changed = true;
        // After the snapshot: the destination gets the change, the snapshot does not see it.
        await sqlOn(w.sourceUrl, `UPDATE accounts SET balance = 1 WHERE id = 1000; DELETE FROM accounts WHERE id = 1001; INSERT INTO accounts VALUES (5000, 'late', 5)`);
        const job = await runJob(w);
        expect(job.error).toBeNull();
      },
    });
    expect(changed).toBe(true);
    // The first pass saw the three rows differ from its snapshot; the second look found them in flight.
    expect(stats.keysRechecked).toBe(3);
    expect(v.byTable("accounts")).toMatchObject({ status: "identical", differing: 0, sourceRows: 2000 });
  });

  it("a change at the source not yet replicated is not reported once the catch-up brought it over", async () => {
    await sqlOn(w.sourceUrl, `UPDATE accounts SET owner = 'renamed' WHERE id = 7; INSERT INTO accounts VALUES (5001, 'new', 1)`);
    const without = (await verifyWorld(w, opts)).byTable("accounts");
    expect(without).toMatchObject({ status: "differs", differing: 2 });
    expect(without.firstKeys).toEqual(expect.arrayContaining([{ kind: "changed", key: { id: "7" } }, { kind: "missing", key: { id: "5001" } }]));
    expect(without.note).toContain("behind the source");
    let catchUps = 0;
    const v = await verifyWorld(w, {
      ...opts,
      catchUp: async () => {
        catchUps++;
        const job = await runJob(w);
        expect(job.error).toBeNull();
      },
    });
    expect(catchUps).toBe(1);
    expect(v.byTable("accounts")).toMatchObject({ status: "identical", differing: 0 });
  });

  it("Stop ends Verify within a range and Repair within a batch, keeping the batches already written", async () => {
    const accounts = (await verificationTargets(w.app.db, w.integration)).tables.filter((t) => t.tableKey.endsWith('"accounts"'));
    // 2000 rows in ranges of 400: a stop asked after the second range leaves three unread.
    const stats = newVerifyStats();
    const stopped = verifyWorld(w, { ...opts, tables: accounts, stats, shouldStop: () => stats.rangesHashed >= 2 });
    await expect(stopped).rejects.toBeInstanceOf(VerifyStopped);
    expect(stats.rangesHashed).toBe(2);

    await sqlOn(w.destUrl, `UPDATE ${dest("accounts")} SET owner = 'tampered' WHERE id BETWEEN 100 AND 104`);
    // Asked once Repair's own Verify has re-checked the rows: the first batch goes through, the second stops.
    const repairStats = newVerifyStats();
    let batches = 0;
    const shouldStop = () => repairStats.keysRechecked > 0 && batches++ >= 1;
    const repair = repairWorld(w, { ...opts, tables: accounts, batchRows: 2, stats: repairStats, shouldStop });
    await expect(repair).rejects.toThrow("Repair stopped on request");
    // One batch of two rows was re-copied before the stop; Verify sees the three rows still to mend.
    const after = (await verifyWorld(w, { ...opts, tables: accounts })).byTable("accounts");
    expect(after).toMatchObject({ status: "differs", differing: 3 });
    await repairWorld(w, { ...opts, tables: accounts });
    expect((await verifyWorld(w, { ...opts, tables: accounts })).byTable("accounts")).toMatchObject({ status: "identical" });
  });
});
