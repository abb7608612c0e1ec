import pg from "pg";
import type { TDestinationLoader } from "@/lib/connectors/postgres/destination";
import type { TJobLogger } from "@/lib/jobs/log";
import { StreamApplier } from "@/lib/replication/log-based/apply";
import type { TStreamEvent } from "@/lib/replication/log-based/decode/events";
import type { TLogTable } from "@/lib/replication/log-based/prepare/table-context";
import type { TSelectedTable } from "@/lib/replication/selected-tables";
import { createEmptyDatabase, openTestLoader } from "./databases";
import { sqlOn } from "./engine-harness";

/** A job log that drops everything (the applier tests check the destination, not the log). */
export const quietLog: TJobLogger = { info: () => undefined, warn: () => undefined, error: () => undefined, critical: () => undefined, flush: async () => undefined };

/** A source table selected for Log-based Incremental with these columns, keyed by `id`. */
export function logBasedTable(database: string, name: string, columns: string[]): TSelectedTable {
  return {
    tableKey: `"${database}"."public"."${name}"`,
    database,
    schema: "public",
    name,
    kind: "table",
    rowEstimate: 0,
    accessible: true,
    selection: { tracked: true, columns, method: "log_based", replicationKey: [], viewKeyColumns: [] },
    resetRequestedAt: null,
    catalogPrimaryKey: ["id"],
  };
}

/** Hands one event to the applier as the stream does, waiting only when it asks to. */
export async function feedEvent(applier: StreamApplier, event: TStreamEvent): Promise<void> {
  const r = applier.onEvent(event, 0n);
  if (r) await r;
}

export type TApplierDatabases = { srcUrl: string; srcName: string; destUrl: string; source: pg.Client; loader: TDestinationLoader; close(): Promise<void> };

/**
 * A source database with `tableSql` run in it, a client on it, an empty destination and a loader on it
 * (integration schema `schema`): what an applier test drives.
 */
export async function openApplierDatabases(prefix: string, tableSql: string, schema: string, integrationId: string): Promise<TApplierDatabases> {
  const src = await createEmptyDatabase("embedded", `${prefix}src`);
  const dest = await createEmptyDatabase("embedded", `${prefix}dst`);
  await sqlOn(src.url, tableSql);
  const source = new pg.Client({ connectionString: src.url });
  await source.connect();
  const loader = await openTestLoader(dest.url, schema, integrationId);
  return {
    srcUrl: src.url,
    srcName: src.name,
    destUrl: dest.url,
    source,
    loader,
    async close() {
      await loader.close();
      await source.end();
      await dest.drop();
      await src.drop();
    },
  };
}

/** An applier for one table whose saved position is 0/1, with nothing reported anywhere. */
export function testApplier(opts: { source: pg.Client; t: TLogTable; loader: TDestinationLoader; openSpare?: (() => Promise<TDestinationLoader>) | null }): StreamApplier {
  return new StreamApplier({
    source: opts.source,
    loader: opts.loader,
    openSpare: opts.openSpare ?? null,
    log: quietLog,
    tables: [{ t: opts.t, state: { method: "log_based", slot: "s", plugin: "pgoutput", lsn: "0/1", tableVersion: 1, copiedAt: "2026-01-01T00:00:00Z" }, savedLsn: 1n, queuedLsn: 1n }],
    slotConfirmed: 1n,
    onStateCommitted: async () => undefined,
    onProgress: () => undefined,
  });
}
