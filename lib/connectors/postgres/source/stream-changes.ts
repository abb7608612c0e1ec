import type pg from "pg";
import type { TChangeBatch, TChangeStream, TSourceTable } from "../../contracts";
import type { TChange } from "../../types";
import type { TSourceConnection } from "@/lib/source/connection";
import { readChangeValues, type TRowChange, type TStreamEvent, type TValue } from "@/lib/replication/log-based/decode/events";
import { formatLsn, maxLsn, parseLsn, type TLsn } from "@/lib/replication/log-based/lsn";
import type { TPluginName } from "@/lib/replication/log-based/decode/plugins";
import { markReadTarget } from "@/lib/replication/log-based/slot/slot";
import { readSlot } from "@/lib/replication/log-based/slot/read-slot";

/** The slot a change stream reads (the Log-based engine's: created, with its publication, by its setup). */
export type TStreamSetup = { slot: string; plugin: TPluginName; publication: string | null; tables: TSourceTable[] };

/** Transactions' batches waiting for the consumer before the reader is paused (back-pressure). */
const MAX_QUEUED = 64;

type TItem = TChangeBatch | { end: true } | { error: unknown };

/**
 * The hand-over between the slot reader (pushing, as events arrive) and the consumer (pulling, at its
 * pace): the reader waits when too much is queued, and its finish waits until the consumer has handled
 * every batch handed to it, so the final acknowledgement carries what the consumer committed last.
 */
class BatchQueue {
  private items: TItem[] = [];
  private wake: (() => void) | null = null;
  private drained: (() => void) | null = null;
  private handled: (() => void) | null = null;
  private waiting = false;
  stopped = false;

  /** Queues an item; a promise when the reader must wait for the consumer to catch up. */
  push(item: TItem): Promise<void> | void {
    this.items.push(item);
    this.wake?.();
    if (this.items.length >= MAX_QUEUED) return new Promise<void>((resolve) => (this.drained = resolve));
  }

  /** Resolves once the consumer has taken and handled everything queued, or stopped. */
  allHandled(): Promise<void> {
    if ((this.items.length === 0 && this.waiting) || this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => (this.handled = resolve));
  }

  private release(): void {
    this.drained?.();
    this.drained = null;
    this.handled?.();
    this.handled = null;
  }

  async *pull(): AsyncGenerator<TChangeBatch> {
    try {
      for (;;) {
        const item = this.items.shift();
        if (item && "end" in item) return;
        if (item && "error" in item) throw item.error;
        if (item) {
          yield item;
          continue;
        }
        this.waiting = true;
        this.release();
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.waiting = false;
        this.wake = null;
      }
    } finally {
      this.stopped = true;
      this.release();
    }
  }
}

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
 * TSource.streamChanges over the Log-based engine's slot reader (lib/replication/log-based/slot/read-slot.ts):
 * its events become one batch per table per transaction, positioned at the commit's end. Only what the
 * consumer commits is acknowledged (the reader's last acknowledgement waits until the consumer has handled
 * every batch); transactions ending at or before `position` are skipped.
 */
export function streamChanges(input: { conn: TSourceConnection; database: string; client: pg.Client; setup: TStreamSetup; position: string }): TChangeStream {
  const from = parseLsn(input.position);
  let committed: TLsn = from;
  const queue = new BatchQueue();
  const tx = new Map<string, TChangeBatch>();
  let commitTime = new Date().toISOString();

  const onEvent = (ev: TStreamEvent): void | Promise<void> => {
    if (ev.kind === "begin") {
      tx.clear();
      commitTime = ev.commitTime ?? new Date().toISOString();
    } else if (ev.kind === "change") {
      let b = tx.get(ev.relKey);
      if (!b) tx.set(ev.relKey, (b = { table: { schema: ev.schema, name: ev.table }, changes: [], position: "" }));
      b.changes.push(toChange(ev, commitTime));
    } else if (ev.kind === "commit" && ev.endLsn !== null && ev.endLsn > from) {
      const batches = [...tx.values()];
      tx.clear();
      let wait: Promise<void> | void = undefined;
      for (const b of batches) wait = queue.push({ ...b, position: formatLsn(ev.endLsn) }) ?? wait;
      return wait;
    }
  };

  const read = async () => {
    try {
      const target = await markReadTarget(input.client);
      const { slot, plugin, tables, publication } = input.setup;
      await readSlot({
        conn: input.conn,
        database: input.database,
        slot,
        plugin,
        tables,
        publication,
        targetLsn: target.lsn,
        onEvent,
        onIdle: async () => undefined,
        onFinish: () => queue.allHandled(),
        committedLsn: () => committed,
        shouldStop: () => queue.stopped,
      });
      queue.push({ end: true });
    } catch (error) {
      queue.push({ error });
    }
  };

  let started = false;
  return {
    [Symbol.asyncIterator]() {
      if (!started) void read();
      started = true;
      return queue.pull();
    },
    commit(position) {
      committed = maxLsn(committed, parseLsn(position));
    },
  };
}
