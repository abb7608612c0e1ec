/**
 * The PostgreSQL destination: the TDestination contract (lib/connectors/contracts.ts) and the fast
 * paths a PostgreSQL source uses (COPY text tables, change groups as COPY text / COPY BINARY, writes
 * overlapping on two connections). Used by Full Table, Key-based Incremental and the Log-based engine:
 *
 *   const loader = await openLoader({ conn, schema, integrationId });   // one client, text values only
 *   await loader.prepare();                           // the schema (claimed) + the state table
 *   const state = await loader.readState(tableKey);   // the authoritative bookmark/state, or null
 *   await loader.ensureTable(spec);                   // CREATE TABLE / ADD COLUMN (ddl.ts)
 *   await loader.replaceTable(spec, source, opts)     // Full Table, atomically (batch-load.ts)
 *   await loader.loadBatch(spec, source, opts)        // staging + merge + state in one transaction
 *   await loader.applyChangeGroups(spec, groups, opts)   // Log-based (change-apply.ts)
 *   await loader.close();
 *
 * `source` is a function returning a Readable of COPY text rows of spec.columns in that order (bytes
 * passed through, never parsed). `state` is opaque JSON owned by the method, stored at the destination
 * with the rows (state-store.ts). The _sdc columns are in ddl.ts.
 */
import type { TChangeGroupDestination, TCopyTextDestination, TDestination, TOverlappingWrites } from "../../contracts";
import { checkDestination } from "@/lib/destination/check";
import { openDestinationClient } from "@/lib/destination/connection";
import { alterDestinationColumnType, ensureTable, renameDestinationColumn } from "./ddl";
import { copyTextOf, loadBatch, replaceTable } from "./batch-load";
import { readCapabilities } from "./capabilities";
import { ChangeApplication, lockArgs } from "./change-apply";
import { groupChanges } from "./change-staging";
import { run, sqlState, type TLoaderOptions, type TPgSession } from "./session";
import { prepareSchemaAndStateStore, readState, saveState } from "./state-store";

export type { TApplyChangesOptions, TBatchMeta, TChange, TChangeGroup, TChangeRow, TCopyTextSource, TLoadResult, TLoadTableSpec, TProgress, TReplicationState, TWriteLock } from "../../types";
export type { TLoaderOptions } from "./session";

export type TDestinationLoader = TDestination &
  TCopyTextDestination &
  TChangeGroupDestination &
  TOverlappingWrites & {
    /** The integration's destination schema. */
    readonly schema: string;
  };

/** `insertsConflict`: see TPgSession; a fork shares its loader's. */
export async function openLoader(opts: TLoaderOptions, insertsConflict = new Set<string>()): Promise<TDestinationLoader> {
  const client = await openDestinationClient(opts.conn);
  const s: TPgSession = { client, opts, caps: await readCapabilities(client), stagingCreated: new Set(), insertsConflict };
  const at = (table: string) => ({ schema: opts.schema, table });
  const loader: TDestinationLoader = {
    kind: "postgres",
    schema: opts.schema,
    check: () => checkDestination(opts.conn),
    prepare: () => prepareSchemaAndStateStore(s),
    readState: (tableKey) => readState(s, tableKey),
    ensureTable: (spec) => ensureTable(s, spec),
    renameColumn: (table, from, to) => renameDestinationColumn(client, (sql) => run(s, sql), at(table), from, to),
    alterColumnType: (table, column, type) => alterDestinationColumnType(client, (sql) => run(s, sql), at(table), column, type),
    replaceTable: (spec, source, o) => replaceTable(s, spec, source, o),
    loadBatch: (spec, source, o) => loadBatch(s, spec, source, o),
    replaceTableRows: (spec, rows, o) => replaceTable(s, spec, copyTextOf(rows), o),
    upsertRows: (spec, rows, o) => loadBatch(s, spec, copyTextOf(rows), o),
    applyChanges: (spec, changes, o) => loader.applyChangeGroups(spec, groupChanges(changes), o),
    async applyChangeGroups(spec, groups, o) {
      try {
        return await new ChangeApplication(s, spec, o).run(groups);
      } catch (err) {
        // Two changes whose keys differ as text but are equal at the destination ("7.0" and "7.00"): ON
        // CONFLICT says it cannot affect a row a second time (21000); MERGE, which does not see its own
        // inserts, hits the key's unique index (23505). Done again with the last-change-per-key merge.
        const code = sqlState(err);
        if (o.uniqueKeys && (code === "21000" || code === "23505")) return new ChangeApplication(s, spec, { ...o, uniqueKeys: false }).run(groups);
        throw err;
      }
    },
    async lockWrite(lock) {
      await client.query(`SELECT pg_advisory_lock(${lockArgs(lock)})`);
    },
    async unlockWrite(lock) {
      await client.query(`SELECT pg_advisory_unlock(${lockArgs(lock)})`);
    },
    saveState: (tableKey, state) => saveState(s, tableKey, state),
    fork: () => openLoader(opts, insertsConflict),
    async close() {
      await client.end().catch(() => undefined);
    },
  };
  return loader;
}
