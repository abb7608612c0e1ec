import type pg from "pg";
import { quoteLiteral } from "@/lib/naming/identifiers";
import { acknowledgeTableReset, requestTableReset } from "@/lib/selection/finalized";
import type { TLogBasedInput } from "../../log-based-registry";
import { fullTableCopySql } from "@/lib/connectors/postgres/source/copy-sql";
import { columnHistoryOf } from "../../column-changes";
import { copyOut, openSourceReader } from "@/lib/connectors/postgres/source/session";
import type { TTableRunResult } from "../../table-run";
import { reachFaultPoint } from "../faults";
import { formatLsn, type TLsn } from "../lsn";
import { partitionId } from "./partitions";
import type { TSlotInfo } from "../slot/slot";
import { openCopySnapshot } from "../slot/copy-snapshot";
import { stateRecord, type TLogBasedState } from "../state";
import type { TLogTable } from "./table-context";

export type TSavedPosition = { state: TLogBasedState; lsn: TLsn };
export type TTableContext = { t: TLogTable; saved: TSavedPosition | null };
type TResults = Map<string, TTableRunResult | { error: string }>;
type TCopySession = { client: pg.Client; lsn: TLsn; close(): Promise<void> };

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Copies each table whole, exact: read in the exported snapshot of a temporary slot whose consistent
 * point is where the table's changes start (see slot/copy-snapshot.ts); the slot is at or before that point. A
 * table whose copy fails gets its error in `results` (and keeps an integration reset as its own request).
 */
export async function copyTables(input: TLogBasedInput, database: string, slot: TSlotInfo, toCopy: TTableContext[], results: TResults): Promise<void> {
  const { ctx } = input;
  let session: TCopySession | null = null;
  try {
    for (const c of toCopy) {
      if (ctx.shouldStop()) break;
      try {
        session ??= await openCopySession(input, database, slot);
        c.saved = await firstCopy(input, session, c.t, slot);
        const askedAt = c.t.table.resetRequestedAt;
        if (askedAt) await acknowledgeTableReset(ctx.db, input.integration.id, c.t.table.tableKey, askedAt);
      } catch (err) {
        // The integration's reset request ends with this job: this table keeps its own, for the next one.
        if (input.integrationReset) await requestTableReset(ctx.db, input.integration.id, c.t.table.tableKey, input.integrationReset).catch(() => undefined);
        results.set(c.t.table.tableKey, { error: message(err) });
        ctx.log.error("target", `First copy of ${c.t.table.tableKey} failed: ${message(err)}`);
        // The snapshot's transaction may be aborted: the next table gets a fresh one.
        await session?.close();
        session = null;
      }
    }
  } finally {
    await session?.close();
  }
}

/** A source transaction in a consistent snapshot, and the position changes after it start from. */
async function openCopySession(input: TLogBasedInput, database: string, slot: TSlotInfo): Promise<TCopySession> {
  const log = input.ctx.log;
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

/** A partitioned table's partitions as saved in its state; nothing for an ordinary table. */
export function partitionsRecord(t: TLogTable): Pick<TLogBasedState, "partitions"> {
  return t.table.kind === "partitioned_table" || t.partitions.length > 0 ? { partitions: t.partitions.map(partitionId) } : {};
}

/** The first full copy of a table, saved with the position its changes start from. */
async function firstCopy(input: TLogBasedInput, session: TCopySession, t: TLogTable, slot: TSlotInfo): Promise<TSavedPosition> {
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
    columns: columnHistoryOf(t.columns),
    relid: t.relid,
    ...partitionsRecord(t),
  };
  const sql = fullTableCopySql({ table: t.table, spec: t.spec, sourceColumns: t.columns });
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
