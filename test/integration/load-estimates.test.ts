import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { catalogTables } from "@/db/schema";
import { enableLogBasedReplication } from "@/lib/replication/log-based";
import { requestTableReset } from "@/lib/selection/finalized";
import { createEngineWorld, loadsOf, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";

enableLogBasedReplication();

/**
 * The live report's "N of ~M rows" counts towards the table's size only when the job reads the whole
 * table: a Full Table load, the first load or a reset of Key-based and Log-based. Changes since a
 * bookmark or a log position have no such total (a finished job once said "3 of ~1,000 rows").
 * Real source and destination (embedded PostgreSQL, pgoutput); the estimate is the catalog's.
 */
describe("the row estimate of a table load", () => {
  let w: TEngineWorld;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Estimates" });
    await sqlOn(
      w.sourceUrl,
      `CREATE TABLE whole (id int PRIMARY KEY, v text); CREATE TABLE keyed (id int PRIMARY KEY, v text); CREATE TABLE logged (id int PRIMARY KEY, v text);
       INSERT INTO whole SELECT g, 'w' FROM generate_series(1, 30) g; INSERT INTO keyed SELECT g, 'k' FROM generate_series(1, 30) g; INSERT INTO logged SELECT g, 'l' FROM generate_series(1, 30) g;`,
    );
    keys.whole = await selectTable(w, { name: "whole" }, { method: "full_table" });
    keys.keyed = await selectTable(w, { name: "keyed" }, { method: "key_based", replicationKey: ["id"] });
    keys.logged = await selectTable(w, { name: "logged" }, { method: "log_based" });
    await w.app.db.update(catalogTables).set({ rowEstimate: 30 }).where(eq(catalogTables.integrationId, w.integration.id));
  });
  afterAll(async () => {
    await w?.close();
  });

  /** Each table's estimate and rows read in a job, by source table name. */
  async function estimates(jobRunId: string): Promise<Record<string, { estimated: number | null; done: number }>> {
    const loads = await loadsOf(w.app.db, jobRunId);
    const out: Record<string, { estimated: number | null; done: number }> = {};
    for (const [name, key] of Object.entries(keys)) {
      const l = loads.find((x) => x.tableKey === key)!;
      out[name] = { estimated: l.rowsEstimated, done: l.rowsDone };
    }
    return out;
  }

  it("counts a first load towards the table's estimate, for every method", async () => {
    const job = await runJob(w);
    expect(job.error).toBeNull();
    expect(await estimates(job.run.id)).toEqual({ whole: { estimated: 30, done: 30 }, keyed: { estimated: 30, done: 30 }, logged: { estimated: 30, done: 30 } });
  });

  it("gives changes since the bookmark or the log position no total; Full Table copies the whole table again", async () => {
    await sqlOn(w.sourceUrl, `INSERT INTO whole VALUES (31, 'w'); INSERT INTO keyed VALUES (31, 'k'), (32, 'k'); INSERT INTO logged VALUES (31, 'l'), (32, 'l'); UPDATE logged SET v = 'l2' WHERE id = 1`);
    const job = await runJob(w);
    expect(job.error).toBeNull();
    const got = await estimates(job.run.id);
    expect(got.whole).toEqual({ estimated: 30, done: 31 });
    // Key-based reads from its bookmark (the last key again, then the new ones).
    expect(got.keyed).toEqual({ estimated: null, done: 3 });
    expect(got.logged).toEqual({ estimated: null, done: 3 });
  });

  it("counts a reset towards the estimate again", async () => {
    const at = new Date();
    await requestTableReset(w.app.db, w.integration.id, keys.keyed!, at);
    await requestTableReset(w.app.db, w.integration.id, keys.logged!, at);
    const job = await runJob(w);
    expect(job.error).toBeNull();
    const got = await estimates(job.run.id);
    expect(got.keyed).toEqual({ estimated: 30, done: 32 });
    expect(got.logged).toEqual({ estimated: 30, done: 32 });
  });
});
