import { and, eq, ne, sql } from "drizzle-orm";
import { catalogTables, integrations, tableStates } from "@/db/schema";
import type { TLogBasedInput, TLogBasedRunner } from "../log-based-registry";
import { openSourceReader, copyOut, relationSql } from "../source-reader";
import type { TTableRunResult } from "../table-run";
import type pg from "pg";
import { quoteIdent, quoteLiteral } from "@/lib/naming/identifiers";
import { retainedWalWarnBytes, retainedWalWarning } from "@/lib/source/retained-wal";
import type { TStreamTableState } from "./apply";
import { reachFaultPoint } from "./faults";
import { formatLsn, type TLsn } from "./lsn";
import { ownSlotName, publicationForSlot } from "@/lib/source/slot-names";
import { advanceSlot, createSlot, currentWalLsn, findSlot, readSlot as readSlotInfo, retainedWalBytes, slotIfExists, waitForSlotRelease, type TSlotInfo } from "./slot";
import { stateRecord, usableState, type TLogBasedState } from "./state";
import { openCopySnapshot } from "./snapshot";
import { readChanges } from "./read-changes";
import { buildLogTable, noteTypeChange, type TLogTable } from "./table-context";
import { acknowledgeTableReset, requestTableReset } from "@/lib/selection/finalized";
import { fullTableCopySql } from "../full-table";
import { preparePublication } from "./publication";
import { partitionChangeReason, partitionId } from "./partitions";

type TResults = Map<string, TTableRunResult | { error: string }>;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Log-based Incremental for the integration's log-based tables, one source database (one slot) at a
 * time: a first full copy where a table has no usable state, then the slot's changes until the position
 * current at the start, applied in batches whose position is saved with the rows; the slot is confirmed
 * only up to what the destination holds.
 */
export const runLogBasedTables: TLogBasedRunner = async (input) => {
  const results: TResults = new Map();
  const byDb = new Map<string, TLogBasedInput["tables"]>();
  for (const entry of input.tables) byDb.set(entry.table.database, [...(byDb.get(entry.table.database) ?? []), entry]);
  for (const [database, tables] of byDb) {
    if (input.ctx.shouldStop()) break;
    try {
      await runDatabase(input, database, tables, results);
    } catch (err) {
      input.ctx.log.error("main", `Log-based replication of database ${quoteIdent(database)} failed: ${message(err)}`);
      for (const { table } of tables) if (!results.has(table.tableKey)) results.set(table.tableKey, { error: message(err) });
    }
  }
  return results;
};

async function runDatabase(input: TLogBasedInput, database: string, entries: TLogBasedInput["tables"], results: TResults): Promise<void> {
  const { ctx, loader, report } = input;
  const log = ctx.log;
  const src = await openSourceReader(input.conn, database);
  const contexts: { t: TLogTable; saved: { state: TLogBasedState; lsn: TLsn } | null }[] = [];
  try {
    let slot = await chooseSlot(input, src.client, database);
    // A worker that died a moment ago may still hold the slot until the server notices its socket closed.
    if (slot.activePid !== null) slot = await waitForSlotRelease(src.client, slot.name);
    log.info("tap", `Database ${quoteIdent(database)}: replication slot ${slot.name} (${slot.plugin}), confirmed up to ${formatLsn(slot.confirmedFlush)}`);

    for (const { table, destinationTable } of entries) {
      try {
        const [cat] = await ctx.db
          .select({ columns: catalogTables.columns })
          .from(catalogTables)
          .where(and(eq(catalogTables.integrationId, input.integration.id), eq(catalogTables.tableKey, table.tableKey)))
          .limit(1);
        const { t, replicaIdentity } = await buildLogTable(src.client, table, destinationTable, (cat?.columns ?? []).map((c) => c.name));
        if (t.spec.primaryKey.length === 0 && replicaIdentity !== "f") {
          log.warn("tap", `${relationSql(table.schema, table.name)} has no primary key and REPLICA IDENTITY is not FULL: its updates and deletes cannot be identified. Fix: ALTER TABLE ${relationSql(table.schema, table.name)} REPLICA IDENTITY FULL;`);
        }
        let saved = usableState(await loader.readState(table.tableKey), slot.name);
        if (saved && (table.resetRequestedAt || input.integrationReset)) {
          log.info("main", `Resetting ${table.tableKey}: ${table.resetRequestedAt ? "a reset was requested" : "the integration was reset"}; the table is copied again and replaced atomically`);
          saved = null;
        }
        saved = await checkPartitions(src.client, t, saved, log);
        if (saved?.state.columnTypes) {
          // The destination was made from these types; a change since is said once, with its fix.
          for (const [col, before] of Object.entries(saved.state.columnTypes)) t.expectedTypes.set(col, before);
          for (const [col, now] of t.sourceTypes) {
            const before = saved.state.columnTypes[col];
            if (before !== undefined && before !== now && t.spec.columns.some((c) => c.name === col)) noteTypeChange(t, log, loader.schema, col, before, now);
          }
        }
        if (slot.plugin === "wal2json") {
          const numeric = /^(numeric|real|double precision|float[48]?|decimal)(\(.*\))?$/;
          t.buffer.setAmbiguousNullColumns(t.spec.columns.filter((c) => numeric.test(t.sourceTypes.get(c.name) ?? c.type)).map((c) => c.name));
        }
        contexts.push({ t, saved });
      } catch (err) {
        results.set(table.tableKey, { error: message(err) });
        log.error("tap", `${table.tableKey}: ${message(err)}`);
      }
    }
    if (contexts.length === 0) return;

    // pgoutput reads through the publication named like the database's slot (several slots may share it).
    const publication = publicationForSlot(slot.name, database, input.integration.schemaName);
    if (slot.plugin === "pgoutput") {
      const refused = await preparePublication(src.client, publication, contexts, log);
      for (const [tableKey, error] of refused) {
        results.set(tableKey, { error });
        log.error("tap", error);
      }
      contexts.splice(0, contexts.length, ...contexts.filter((c) => !refused.has(c.t.table.tableKey)));
    }

    for (const c of contexts) await report.start(c.t.table.tableKey, !c.saved);

    // First copies, exact: read in the exported snapshot of a temporary slot whose consistent point is
    // where the table's changes start (see snapshot.ts). The slot is at or before that point.
    const toCopy = contexts.filter((c) => !c.saved);
    if (toCopy.length > 0) {
      if (contexts.every((c) => !c.saved)) {
        // Nothing depends on older changes yet: start from now instead of replaying the slot's backlog.
        const now = await currentWalLsn(src.client);
        if (now.lsn > slot.confirmedFlush) await advanceSlot(src.client, slot.name, now.text);
      }
      slot = await readSlotInfo(src.client, slot.name);
      let session: TCopySession | null = null;
      try {
        for (const c of toCopy) {
          if (ctx.shouldStop()) break;
          try {
            session ??= await openCopySession(input, database, slot, log);
            c.saved = await firstCopy(input, session, c.t, slot);
            const askedAt = c.t.table.resetRequestedAt;
            if (askedAt) await acknowledgeTableReset(ctx.db, input.integration.id, c.t.table.tableKey, askedAt);
          } catch (err) {
            // The integration's reset request ends with this job: this table keeps its own, for the next one.
            if (input.integrationReset) await requestTableReset(ctx.db, input.integration.id, c.t.table.tableKey, input.integrationReset).catch(() => undefined);
            results.set(c.t.table.tableKey, { error: message(err) });
            log.error("target", `First copy of ${c.t.table.tableKey} failed: ${message(err)}`);
            // The snapshot's transaction may be aborted: the next table gets a fresh one.
            await session?.close();
            session = null;
          }
        }
      } finally {
        await session?.close();
      }
    }

    const streaming: TStreamTableState[] = contexts.filter((c) => c.saved && !results.has(c.t.table.tableKey)).map((c) => ({ t: c.t, state: c.saved!.state, savedLsn: c.saved!.lsn, queuedLsn: c.saved!.lsn }));
    for (const s of streaming) {
      // Columns added at the source since the last job: added to the destination before changes carry them.
      const ensured = await loader.ensureTable(s.t.spec);
      if (ensured.addedColumns.length > 0) log.info("target", `Added column(s) to ${s.t.spec.table}: ${ensured.addedColumns.join(", ")}`);
    }
    let stopped = ctx.shouldStop();
    if (streaming.length > 0 && !stopped) ({ stopped } = await readChanges({ input, database, client: src.client, slot, publication, streaming }));

    const retained = await retainedWalBytes(src.client, slot.name);
    if (retained > retainedWalWarnBytes()) {
      const w = retainedWalWarning(slot.name, retained);
      log.warn("tap", `${w.summary} ${w.fix}`);
    }

    for (const s of streaming) {
      results.set(s.t.table.tableKey, { ...s.t.totals, maxBookmark: s.state.lsn, stopped });
    }
    for (const c of contexts) {
      if (!results.has(c.t.table.tableKey)) results.set(c.t.table.tableKey, { ...c.t.totals, maxBookmark: c.saved?.state.lsn ?? null, stopped: true });
    }
  } finally {
    await src.close().catch(() => undefined);
  }
}

/**
 * The integration's slot in this database: its own `stitch_<db>_<schema>` if it has one; else the setup
 * guide's `stitch_<db>` (or `stitch`) unless another integration already reads that one (two readers of
 * one slot lose changes), in which case its own slot is created with the same plugin.
 */
async function chooseSlot(input: TLogBasedInput, client: pg.Client, database: string): Promise<TSlotInfo> {
  const log = (m: string) => input.ctx.log.info("tap", m);
  const own = ownSlotName(database, input.integration.schemaName);
  const mine = await slotIfExists(client, own);
  if (mine) return mine;
  const shared = await findSlot(client, database);
  if (!shared) return createSlot(client, database, log);
  const prefix = `${quoteIdent(database)}.`;
  const [other] = await input.ctx.db
    .select({ name: integrations.name })
    .from(tableStates)
    .innerJoin(integrations, eq(integrations.id, tableStates.integrationId))
    .where(
      and(
        ne(tableStates.integrationId, input.integration.id),
        eq(integrations.host, input.integration.host),
        eq(integrations.port, input.integration.port),
        sql`${tableStates.state}->>'slot' = ${shared.name}`,
        sql`starts_with(${tableStates.tableKey}, ${prefix})`,
      ),
    )
    .limit(1);
  if (!other) return shared;
  input.ctx.log.warn("tap", `Replication slot ${shared.name} is already read by the integration "${other.name}"; a slot must have one reader, so this integration uses its own slot ${own}`);
  return createSlot(client, database, log, { name: own, plugins: [shared.plugin, shared.plugin === "wal2json" ? "pgoutput" : "wal2json"] });
}

type TCopySession = { client: pg.Client; lsn: TLsn; close(): Promise<void> };

/** A source transaction in a consistent snapshot, and the position changes after it start from. */
async function openCopySession(input: TLogBasedInput, database: string, slot: TSlotInfo, log: TLogBasedInput["ctx"]["log"]): Promise<TCopySession> {
  const reader = await openSourceReader(input.conn, database);
  try {
    const snap = await openCopySnapshot(input.conn, database).catch((err: unknown) => {
      log.warn("tap", `No exported snapshot for the first copy (${message(err)}); copying from the slot position instead: changes made during the copy are replayed onto it (keyless tables may get such rows twice)`);
      return null;
    });
    await reader.client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (snap) {
      await reader.client.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(snap.snapshot)}`);
      log.info("tap", `First copy reads snapshot ${snap.snapshot}; changes apply from ${snap.lsnText}`);
    }
    return {
      client: reader.client,
      lsn: snap?.lsn ?? slot.confirmedFlush,
      async close() {
        await reader.client.query("COMMIT").catch(() => undefined);
        await reader.close().catch(() => undefined);
        await snap?.close();
      },
    };
  } catch (err) {
    await reader.close().catch(() => undefined);
    throw err;
  }
}

/** The first full copy of a table, saved with the position its changes start from. */
async function firstCopy(input: TLogBasedInput, session: TCopySession, t: TLogTable, slot: TSlotInfo): Promise<{ state: TLogBasedState; lsn: TLsn }> {
  const tableVersion = Date.now();
  const extractedAt = new Date().toISOString();
  const state: TLogBasedState = {
    method: "log_based",
    slot: slot.name,
    plugin: slot.plugin,
    lsn: formatLsn(session.lsn),
    tableVersion,
    copiedAt: extractedAt,
    columnTypes: Object.fromEntries(t.spec.columns.map((c) => [c.name, t.sourceTypes.get(c.name) ?? c.type])),
    ...partitionsRecord(t),
  };
  const sql = fullTableCopySql(t);
  input.ctx.log.info("tap", `First copy for Log-based Incremental (changes apply from ${state.lsn}): ${sql}`);
  let faulted = false;
  const result = await input.loader.replaceTable(t.spec, () => copyOut(session.client, sql), {
    state: stateRecord(state),
    tableVersion,
    meta: { extractedAt },
    onProgress: (rows) => {
      input.report.progress(t.table.tableKey, rows);
      if (rows > 0 && !faulted) {
        faulted = true;
        void reachFaultPoint("copy-in-progress");
      }
    },
  });
  t.totals.rowsInserted += result.rowsInserted;
  t.totals.rowsReceived += result.rowsReceived;
  await input.report.stateCommitted(t.table.tableKey, stateRecord(state));
  return { state, lsn: session.lsn };
}

/** A partitioned table's partitions as saved in its state; nothing for an ordinary table. */
function partitionsRecord(t: TLogTable): Pick<TLogBasedState, "partitions"> {
  return t.table.kind === "partitioned_table" || t.partitions.length > 0 ? { partitions: t.partitions.map(partitionId) } : {};
}

/** A saved copy whose partitions changed in a way the stream cannot carry is dropped (the table is copied again). */
async function checkPartitions(client: pg.Client, t: TLogTable, saved: { state: TLogBasedState; lsn: TLsn } | null, log: TLogBasedInput["ctx"]["log"]) {
  if (!saved) return null;
  const reason = await partitionChangeReason(client, log, relationSql(t.table.schema, t.table.name), saved.state.partitions, t.partitions);
  if (reason) {
    log.warn("main", reason);
    return null;
  }
  return { ...saved, state: { ...saved.state, ...partitionsRecord(t) } };
}
