/**
 * Finding 8 of issue 21: Key-based jobs logged their SQL with bookmark values (source data) inlined,
 * and every role reads job logs. The log now shows the statement's shape, and so do the `State update`
 * lines and the table's end line; Loading Reports show bookmark values to Members and above only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { extractionLogLines } from "@/db/schema";
import { statementShape } from "@/lib/replication/key-based";
import { allTablesReport } from "@/lib/reports/loading";
import { BOOKMARK_HIDDEN, bookmarksForRole } from "@/lib/replication/state-log";
import { createEngineWorld, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";

describe("Key-based job logs carry no source values", () => {
  let w: TEngineWorld;

  beforeAll(async () => {
    w = await createEngineWorld({ name: "Secret Keys" });
    await sqlOn(
      w.sourceUrl,
      `CREATE TABLE "it's" (email text PRIMARY KEY, note text);
       INSERT INTO "it's" SELECT 'person' || g || '@secret.example', 'n' FROM generate_series(1, 30) g;`,
    );
    await selectTable(w, { name: "it's" }, { method: "key_based", replicationKey: ["email"] });
  });
  afterAll(async () => w?.close());

  it("no key value appears in any tap line, over a first and a second run", async () => {
    for (const round of [1, 2]) {
      if (round === 2) await sqlOn(w.sourceUrl, `INSERT INTO "it's" VALUES ('zz-late@secret.example', 'n')`);
      const job = await runJob(w, { batchRows: 7 });
      expect(job.outcome?.outcome).toBe("succeeded");
      const tap = (await job.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, job.run.id))).filter((l) => l.location === "tap");
      const running = tap.filter((l) => l.message.startsWith("Running: "));
      expect(running.length).toBeGreaterThan(2);
      expect(tap.filter((l) => l.message.includes("secret.example"))).toEqual([]);
      expect(running.some((l) => /AND \("email"\) >=? \(\$1::text\)/.test(l.message))).toBe(true);
    }
  });

  it("no log line at all carries a key value: State update and the table's end line show the shape", async () => {
    const job = await runJob(w, { batchRows: 7 });
    expect(job.outcome?.outcome).toBe("succeeded");
    const lines = await job.db.select().from(extractionLogLines).where(eq(extractionLogLines.jobRunId, job.run.id));
    expect(lines.filter((l) => l.message.includes("secret.example"))).toEqual([]);
    const stateLines = lines.filter((l) => l.message.startsWith("State update: "));
    expect(stateLines.length).toBeGreaterThan(0);
    expect(stateLines.every((l) => l.message.includes(`"bookmark":["$1"]`))).toBe(true);
    expect(lines.some((l) => l.message.includes("bookmark (email) = ($1)"))).toBe(true);
  });

  it("Loading Reports show the bookmark to a Member, not to a Viewer", async () => {
    const rows = await allTablesReport(w.app.db, w.teamId, w.integration.id, "24h");
    expect(rows.some((r) => r.maxBookmark?.includes("secret.example"))).toBe(true);
    expect(bookmarksForRole(rows, "member")).toEqual(rows);
    const viewer = bookmarksForRole(rows, "viewer");
    expect(JSON.stringify(viewer)).not.toContain("secret.example");
    expect(viewer.filter((r) => r.maxBookmark !== null).every((r) => r.maxBookmark === BOOKMARK_HIDDEN)).toBe(true);
  });

  it("a quote inside a quoted name does not shift what counts as a value", () => {
    expect(statementShape(`SELECT "a'b" FROM "t""x" WHERE ("k") > ('v''1'::text) AND "c'" = 'v2'`)).toBe(`SELECT "a'b" FROM "t""x" WHERE ("k") > ($1::text) AND "c'" = $2`);
  });
});
