import { and, eq, ne, sql } from "drizzle-orm";
import type pg from "pg";
import { integrations, tableStates } from "@/db/schema";
import { quoteIdent } from "@/lib/naming/identifiers";
import { retainedWalWarnBytes, retainedWalWarning } from "@/lib/source/retained-wal";
import { ownSlotName, publicationForSlot } from "@/lib/source/slot-names";
import type { TLogBasedInput, TLogBasedRunner } from "../log-based-registry";
import { readSourceColumns } from "@/lib/connectors/postgres/source/columns";
import { openSourceReader } from "@/lib/connectors/postgres/source/session";
import type { TTableRunResult } from "../table-run";
import type { TStreamTableState } from "./apply";
import { recopyAfterStream } from "./prepare/column-drift";
import { copyTables, type TTableContext } from "./prepare/first-copy";
import { formatLsn } from "./lsn";
import { buildTable, prepareTable } from "./prepare/prepare-table";
import { preparePublication } from "./slot/publication";
import { readChanges } from "./read-changes";
import { advanceSlot, createSlot, currentWalLsn, findSlot, readSlot as readSlotInfo, retainedWalBytes, slotIfExists, waitForSlotRelease, type TSlotInfo } from "./slot/slot";

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
  const contexts: TTableContext[] = [];
  try {
    let slot = await chooseSlot(input, src.client, database);
    // A worker that died a moment ago may still hold the slot until the server notices its socket closed.
    if (slot.activePid !== null) slot = await waitForSlotRelease(src.client, slot.name);
    log.info("tap", `Database ${quoteIdent(database)}: replication slot ${slot.name} (${slot.plugin}), confirmed up to ${formatLsn(slot.confirmedFlush)}`);

    for (const entry of entries) {
      try {
        contexts.push(await prepareTable(input, src.client, entry, slot));
      } catch (err) {
        results.set(entry.table.tableKey, { error: message(err) });
        log.error("tap", `${entry.table.tableKey}: ${message(err)}`);
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

    const toCopy = contexts.filter((c) => !c.saved);
    if (toCopy.length > 0) {
      if (contexts.every((c) => !c.saved)) {
        // Nothing depends on older changes yet: start from now instead of replaying the slot's backlog.
        const now = await currentWalLsn(src.client);
        if (now.lsn > slot.confirmedFlush) await advanceSlot(src.client, slot.name, now.text);
      }
      slot = await readSlotInfo(src.client, slot.name);
      await copyTables(input, database, slot, toCopy, results);
    }

    const streaming: TStreamTableState[] = contexts.filter((c) => c.saved && !results.has(c.t.table.tableKey)).map((c) => ({ t: c.t, state: c.saved!.state, savedLsn: c.saved!.lsn, queuedLsn: c.saved!.lsn }));
    for (const s of streaming) {
      // Columns added at the source since the last job: added to the destination before changes carry them.
      const ensured = await loader.ensureTable(s.t.spec);
      if (ensured.addedColumns.length > 0) log.info("target", `Added column(s) to ${s.t.spec.table}: ${ensured.addedColumns.join(", ")}`);
    }
    let stopped = ctx.shouldStop();
    if (streaming.length > 0 && !stopped) ({ stopped } = await readChanges({ input, database, client: src.client, slot, publication, streaming }));
    if (!stopped) await recopyChangedDuringStream(input, database, src.client, slot, streaming, results);

    const retained = await retainedWalBytes(src.client, slot.name);
    if (retained > retainedWalWarnBytes()) {
      const w = retainedWalWarning(slot.name, retained);
      log.warn("tap", `${w.summary} ${w.fix}`);
    }

    for (const s of streaming) {
      if (!results.has(s.t.table.tableKey)) results.set(s.t.table.tableKey, { ...s.t.totals, maxBookmark: s.state.lsn, stopped });
    }
    for (const c of contexts) {
      if (!results.has(c.t.table.tableKey)) results.set(c.t.table.tableKey, { ...c.t.totals, maxBookmark: c.saved?.state.lsn ?? null, stopped: true });
    }
  } finally {
    await src.close().catch(() => undefined);
  }
}

/**
 * Columns that changed while the stream was read, in a way whose values the stream did not carry (a
 * default filled in for existing rows, a rename the stream saw as a new column, a type change that is no
 * widening): the table is copied again now, from a snapshot after everything read, rather than left with
 * wrong values until the next job. Its rows read from the stream so far still count in its totals.
 */
async function recopyChangedDuringStream(input: TLogBasedInput, database: string, client: pg.Client, slot: TSlotInfo, streaming: TStreamTableState[], results: TResults): Promise<void> {
  const again: TTableContext[] = [];
  for (const s of streaming) {
    const reason = recopyAfterStream(s.t, await readSourceColumns(client, s.t.table.schema, s.t.table.name));
    if (!reason) continue;
    input.ctx.log.warn("main", reason);
    const entry = input.tables.find((e) => e.table.tableKey === s.t.table.tableKey)!;
    const t = await buildTable(input, client, entry, slot);
    Object.assign(t.totals, s.t.totals);
    again.push({ t, saved: null });
  }
  if (again.length === 0) return;
  await copyTables(input, database, await readSlotInfo(client, slot.name), again, results);
  for (const c of again) {
    if (!results.has(c.t.table.tableKey)) results.set(c.t.table.tableKey, { ...c.t.totals, maxBookmark: c.saved?.state.lsn ?? null, stopped: false });
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
