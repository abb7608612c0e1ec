/**
 * Full Table and Key-based are written against the contracts: with a source that offers no COPY text
 * fast path they go through the neutral one (rows as text, readTable → replaceTableRows / upsertRows)
 * and land the same rows as the fast path does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TSource } from "@/lib/connectors/contracts";
import { openPostgresSource, type TPostgresSource } from "@/lib/connectors/postgres/source";
import type { TDestinationLoader } from "@/lib/connectors/postgres/destination";
import type { TJobLogger } from "@/lib/jobs/log";
import { runFullTable } from "@/lib/replication/full-table";
import { runKeyBased } from "@/lib/replication/key-based";
import type { TSelectedTable } from "@/lib/replication/selected-tables";
import type { TTableRun } from "@/lib/replication/table-run";
import { readTableShape } from "@/lib/replication/table-shape";
import type { TMethodState } from "@/lib/replication/method-state";
import { createAppDatabase, createEmptyDatabase, openTestLoader, withClient, type TTestAppDb } from "../support/databases";
import { connectionParts } from "../support/url";

const silent: TJobLogger = { info: () => undefined, warn: () => undefined, error: () => undefined, critical: () => undefined, flush: async () => undefined };

/** The table as the job would select it; its key names the destination table (each run has its own state). */
function tableOf(method: "full_table" | "key_based", destinationTable: string): TSelectedTable {
  return {
    tableKey: `"src"."public"."${destinationTable}"`,
    database: "src",
    schema: "public",
    name: "items",
    kind: "table",
    rowEstimate: null,
    accessible: true,
    selection: { tracked: true, columns: ["id", "k", "t", "n"], method, replicationKey: method === "key_based" ? ["k"] : [], viewKeyColumns: [] },
    resetRequestedAt: null,
    catalogPrimaryKey: ["id"],
  };
}

describe("Full Table and Key-based through the neutral path", () => {
  let src: { url: string; name: string; drop(): Promise<void> };
  let dest: { url: string; name: string; drop(): Promise<void> };
  let app: TTestAppDb;
  let fast: TPostgresSource;
  let loader: TDestinationLoader;

  beforeAll(async () => {
    src = await createEmptyDatabase("embedded", "neutral");
    app = await createAppDatabase();
    await withClient(src.url, (c) =>
      c.query(`CREATE TABLE items (id integer PRIMARY KEY, k integer, t text, n numeric);
        INSERT INTO items SELECT g, g / 3, E'row\\t' || g || E'\\n\\\\ ü', g * 1.25 FROM generate_series(1, 50) g;
        INSERT INTO items VALUES (51, NULL, NULL, NULL)`),
    );
    fast = await openPostgresSource({ conn: { ...connectionParts(src.url), sslMode: "disable" }, database: src.name, batchRows: 7 });
    dest = await createEmptyDatabase("embedded", "neutral_dest");
    loader = await openTestLoader(dest.url, "Neutral", "00000000-0000-0000-0000-00000000c0f1");
  });
  afterAll(async () => {
    await fast?.close();
    await loader?.close();
    await app?.close();
    await src?.drop();
    await dest?.drop();
  });

  async function run(method: "full_table" | "key_based", source: TSource, destinationTable: string): Promise<(string | null)[][]> {
    const entry = { table: tableOf(method, destinationTable), destinationTable };
    const shape = await readTableShape({ db: app.db, integrationId: "00000000-0000-0000-0000-00000000c0f1", source, destination: loader, log: silent, entry, method });
    const states: TMethodState[] = [];
    const tableRun: TTableRun = { ...shape, source, destination: loader, log: silent, shouldStop: () => false, onProgress: () => undefined, onStateCommitted: async (s) => void states.push(s), batchRows: 10 };
    if (method === "key_based") await loader.ensureTable(shape.spec);
    await (method === "full_table" ? runFullTable(tableRun) : runKeyBased(tableRun));
    expect(states.at(-1)?.method).toBe(method);
    return readBack(destinationTable);
  }

  async function readBack(table: string): Promise<(string | null)[][]> {
    const res = await withClient(dest.url, (c) => c.query({ text: `SELECT id::text, k::text, t, n::text FROM "Neutral"."${table}" ORDER BY id`, rowMode: "array" }));
    return res.rows as (string | null)[][];
  }

  it("lands the same rows as the COPY fast path, for both methods", async () => {
    // The same source without its fast path: offersCopyTextTable is false, the methods read rows.
    const neutral: TSource = Object.assign({}, fast, { copyTable: undefined });
    for (const method of ["full_table", "key_based"] as const) {
      const viaCopy = await run(method, fast, `${method}_copy`);
      const viaRows = await run(method, neutral, `${method}_rows`);
      expect(viaRows).toHaveLength(51);
      expect(viaRows).toEqual(viaCopy);
    }
  });
});
