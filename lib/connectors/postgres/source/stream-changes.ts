import type pg from "pg";
import type { TChangeBatch, TChangeStream, TSourceTable } from "../../contracts";
import type { TChange } from "../../types";
import type { TSourceConnection } from "@/lib/source/connection";
import { readChangeValues, type TRowChange, type TValue } from "@/lib/replication/log-based/decode/events";
import { formatLsn, maxLsn, parseLsn, type TLsn } from "@/lib/replication/log-based/lsn";
import type { TPluginName } from "@/lib/replication/log-based/decode/plugins";
import { markReadTarget } from "@/lib/replication/log-based/slot/slot";
import { readSlot } from "@/lib/replication/log-based/slot/read-slot";

/** The slot a change stream reads (the Log-based engine's: created, with its publication, by its setup). */
export type TStreamSetup = { slot: string; plugin: TPluginName; publication: string | null; tables: TSourceTable[] };

/** Transactions' batches waiting for the consumer before the reader is paused (back-pressure). */
const MAX_QUEUED = 64;

function record(columns: readonly string[], values: readonly TValue[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  // An absent value (unchanged TOAST) stays absent: the destination keeps what it has.
  columns.forEach((c, i) => {
    const v = values[i];
    if (v !== undefined) out[c] = v;
  });
  return out;
}

function toChange(ev: TRowChange, at: string): TChange {
  const c = readChangeValues(ev);
  if (c.op === "delete") return { kind: "delete", key: record(c.columns, c.identity ?? c.values), deletedAt: at, extractedAt: at };
  return { kind: "upsert", values: record(c.columns, c.values), extractedAt: at };
}

/**
 * TSource.streamChanges over the Log-based engine's slot reader (lib/replication/log-based/stream.ts):
 * its events become one batch per table per transaction, positioned at the commit's end. Only what the
 * consumer commits is acknowledged (the reader's last acknowledgement waits until the consumer has handled
 * every batch); transactions ending at or before `position` are skipped.
 */
export function streamChanges(input: { conn: TSourceConnection; database: string; client: pg.Client; setup: TStreamSetup; position: string }): TChangeStream {
  const from = parseLsn(input.position);
  let committed: TLsn = from;
  const queue: (TChangeBatch | { end: true } | { error: unknown })[] = [];
  let wake: (() => void) | null = null;
  let drained: (() => void) | null = null;
  // Resolved once the consumer has handled every batch handed to it (and asks for more, or stopped).
  let handled: (() => void) | null = null;
  let waiting = false;
  let stopped = false;
  let started = false;
  const push = (item: (typeof queue)[number]) => {
    queue.push(item);
    wake?.();
  };
  const tx = new Map<string, TChangeBatch>();
  let commitTime = new Date().toISOString();

  const onEvent = (ev: Parameters<Parameters<typeof readSlot>[0]["onEvent"]>[0]): void | Promise<void> => {
    if (ev.kind === "begin") {
      tx.clear();
      commitTime = ev.commitTime ?? new Date().toISOString();
    } else if (ev.kind === "change") {
      let b = tx.get(ev.relKey);
      if (!b) tx.set(ev.relKey, (b = { table: { schema: ev.schema, name: ev.table }, changes: [], position: "" }));
      b.changes.push(toChange(ev, commitTime));
    } else if (ev.kind === "commit") {
      const end = ev.endLsn;
      if (end === null || end <= from) return;
      for (const b of tx.values()) push({ ...b, position: formatLsn(end) });
      tx.clear();
      if (queue.length >= MAX_QUEUED) return new Promise<void>((resolve) => (drained = resolve));
    }
  };

  const start = async () => {
    try {
      const target = await markReadTarget(input.client);
      await readSlot({
        conn: input.conn,
        database: input.database,
        slot: input.setup.slot,
        plugin: input.setup.plugin,
        tables: input.setup.tables,
        publication: input.setup.publication,
        targetLsn: target.lsn,
        onEvent,
        onIdle: async () => undefined,
        // The final acknowledgement follows: it must carry what the consumer commits for the last batches.
        onFinish: () => (queue.length === 0 && waiting) || stopped ? Promise.resolve() : new Promise<void>((resolve) => (handled = resolve)),
        committedLsn: () => committed,
        shouldStop: () => stopped,
      });
      push({ end: true });
    } catch (error) {
      push({ error });
    }
  };

  async function* batches(): AsyncGenerator<TChangeBatch> {
    if (!started) void start();
    started = true;
    try {
      for (;;) {
        const item = queue.shift();
        if (!item) {
          drained?.();
          drained = null;
          waiting = true;
          handled?.();
          handled = null;
          await new Promise<void>((resolve) => (wake = resolve));
          waiting = false;
          wake = null;
          continue;
        }
        if ("end" in item) return;
        if ("error" in item) throw item.error;
        yield item;
      }
    } finally {
      stopped = true;
      drained?.();
      handled?.();
    }
  }

  return {
    [Symbol.asyncIterator]: () => batches(),
    commit(position) {
      committed = maxLsn(committed, parseLsn(position));
    },
  };
}
