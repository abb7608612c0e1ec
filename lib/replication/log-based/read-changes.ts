import type pg from "pg";
import type { TLogBasedInput } from "../log-based-registry";
import { StreamApplier, type TStreamTableState } from "./apply";
import { UnreadableBinaryValueError } from "./decode/binary-values";
import { formatLsn } from "./lsn";
import { markReadTarget, waitForSlotRelease, type TSlotInfo } from "./slot/slot";
import { stateRecord } from "./state";
import { readSlot } from "./slot/read-slot";
import { serverVersionNum } from "@/lib/source/server-version";

export type TReadChangesInput = {
  input: TLogBasedInput;
  database: string;
  /** A source connection of the database (not the replication one). */
  client: pg.Client;
  slot: TSlotInfo;
  publication: string;
  streaming: TStreamTableState[];
};

/**
 * Reads the slot's changes up to the position current now and applies them (batch mode). pgoutput sends
 * binary values (PostgreSQL 14+) when every column of every table read can be read back: cheaper for the
 * walsender to make and for the destination to read. A column of another type appearing mid-stream (added,
 * or its type changed) makes the read start over as text from what the destination has committed.
 */
export async function readChanges({ input, database, client, slot, publication, streaming }: TReadChangesInput): Promise<{ stopped: boolean }> {
  const { ctx, loader, report } = input;
  const log = ctx.log;
  const target = await markReadTarget(client);
  let binary = slot.plugin === "pgoutput" && (await serverVersionNum(client)) >= 140_000 && streaming.every((s) => s.t.binaryReadable);
  let confirmed = slot.confirmedFlush;
  for (;;) {
    for (const s of streaming) s.t.buffer.restart(binary ? s.t.binaryTypes : null);
    log.info("tap", `Reading changes from slot ${slot.name} (${slot.plugin}${binary ? ", binary values" : ""}) up to ${target.text}`);
    const applier = new StreamApplier({
      source: client,
      loader,
      openSpare: () => loader.fork(),
      log,
      tables: streaming,
      slotConfirmed: confirmed,
      onStateCommitted: (key, state) => report.stateCommitted(key, stateRecord(state)),
      onProgress: (key, rows) => report.progress(key, rows),
    });
    const started = Date.now();
    try {
      const out = await readSlot({
        conn: input.conn,
        database,
        slot: slot.name,
        plugin: slot.plugin,
        tables: streaming.flatMap((s) => [{ schema: s.t.table.schema, name: s.t.table.name }, ...s.t.partitions]),
        publication: slot.plugin === "pgoutput" ? publication : null,
        binary,
        binaryReadAs: new Map(streaming.flatMap((s) => [...s.t.binaryReadAs])),
        targetLsn: target.lsn,
        onEvent: (ev, lsn) => applier.onEvent(ev, lsn),
        onIdle: (k) => applier.onIdle(k, k >= target.lsn),
        onFinish: () => applier.finish(),
        committedLsn: () => applier.committedLsn(),
        shouldStop: ctx.shouldStop,
      });
      if (out.reason === "idle-timeout") log.warn("tap", `The slot did not reach ${target.text} before going quiet; the next job continues from ${formatLsn(applier.committedLsn())}`);
      log.info("tap", `Read ${out.messages} messages from slot ${slot.name} in ${((Date.now() - started) / 1000).toFixed(1)} s (${(applier.applyMs / 1000).toFixed(1)} s writing to the destination, ${applier.writesStarted} batch(es), ${applier.overlappedWrites} merged alongside the one before); ${applier.changesSeen} changes for tracked tables; confirmed up to ${formatLsn(applier.committedLsn())}`);
      return { stopped: out.reason === "stopped" };
    } catch (err) {
      if (!(binary && err instanceof UnreadableBinaryValueError)) throw err;
      // What is committed stays (the writes in flight end first; a failed one fails the job); the rest is
      // read again, with text values.
      await applier.settle();
      confirmed = applier.committedLsn();
      for (const s of streaming) s.queuedLsn = s.savedLsn;
      binary = false;
      log.info("tap", `A column of type oid ${err.typeOid} appeared in the stream of slot ${slot.name}, whose binary values cannot be read: reading on from ${formatLsn(confirmed)} with text values`);
      await waitForSlotRelease(client, slot.name);
    } finally {
      await applier.close();
    }
  }
}
