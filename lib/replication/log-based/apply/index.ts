import type { TChangeGroup } from "@/lib/connectors/types";
import { quoteIdent } from "@/lib/naming/identifiers";
import type { TChangeMeta } from "../buffer";
import type { TRowChange, TStreamEvent } from "../decode/events";
import { reachFaultPoint } from "../faults";
import { formatLsn, maxLsn, type TLsn } from "../lsn";
import type { TLogBasedState } from "../state";
import { streamKey } from "../prepare/table-context";
import { widenColumns, withCurrentNames } from "../prepare/column-drift";
import { BatchPolicy } from "./batch-policy";
import { SchemaDrift } from "./schema-drift";
import { fillMovedRows, resolveAmbiguousNulls } from "./source-repairs";
import type { TApplierOptions, TBatchEntry, TStreamTableState } from "./types";
import { WritePipeline } from "./write-pipeline";

export type { TApplierOptions, TStreamTableState } from "./types";

/**
 * Applies the decoded stream of one database to the destination. Changes are buffered per table and
 * written at transaction boundaries in batches (one destination transaction per table per batch, the
 * table's position saved in it). A table skips transactions it already has (commit before its saved
 * position: a crash after the destination committed and before the slot was acknowledged replays them).
 * This class dispatches the stream's events; the stages are apart: schema drift, batch policy, the
 * write pipeline, and the repairs read back from the source.
 */
export class StreamApplier {
  private readonly byName = new Map<string, TStreamTableState>();
  private txCommitLsn: TLsn = 0n;
  /** The current transaction's metadata, shared by its changes. */
  private txMeta: TChangeMeta = { at: new Date().toISOString(), sequence: 0n };
  private lastCommitEnd: TLsn;
  private lastIdleSave = 0;
  private readonly policy: BatchPolicy;
  private readonly drift: SchemaDrift;
  private readonly pipeline: WritePipeline;
  changesSeen = 0;

  constructor(private readonly opts: TApplierOptions) {
    for (const s of opts.tables) {
      this.byName.set(streamKey(s.t.table.schema, s.t.table.name), s);
      // A partition's changes are its root's (wal2json, and pgoutput without publish_via_partition_root).
      for (const p of s.t.partitions) this.byName.set(streamKey(p.schema, p.name), s);
    }
    this.lastCommitEnd = opts.slotConfirmed;
    this.policy = new BatchPolicy(opts);
    this.drift = new SchemaDrift(opts);
    this.pipeline = new WritePipeline(opts);
  }

  /** Time spent writing to the destination, writes started and those merged alongside the one before (the job's summary line). */
  get applyMs(): number {
    return this.pipeline.applyMs;
  }
  get writesStarted(): number {
    return this.pipeline.writesStarted;
  }
  get overlappedWrites(): number {
    return this.pipeline.overlappedWrites;
  }

  /** What the destination holds for every table: the only position the slot may be confirmed to. */
  committedLsn(): TLsn {
    let min: TLsn | null = null;
    for (const s of this.opts.tables) min = min === null || s.savedLsn < min ? s.savedLsn : min;
    return maxLsn(this.opts.slotConfirmed, min ?? this.opts.slotConfirmed);
  }

  /**
   * Handles one event in stream order. Returns a promise only when it has to wait (a destination write,
   * a source lookup): the reader handles everything else synchronously. `walStart` is the message's
   * position (used when the event does not carry its own).
   */
  onEvent(event: TStreamEvent, walStart: TLsn): void | Promise<void> {
    this.pipeline.throwIfFailed();
    switch (event.kind) {
      case "begin": {
        this.txCommitLsn = event.commitLsn ?? walStart;
        this.txMeta = { at: event.commitTime ?? new Date().toISOString(), sequence: this.txCommitLsn };
        return;
      }
      case "change":
        return this.onChange(event);
      case "commit":
        this.lastCommitEnd = maxLsn(this.lastCommitEnd, event.endLsn ?? walStart);
        // Write when the destination is free; while it is busy keep reading (the next batch grows) unless
        // the buffer is full.
        if (this.policy.writeAtCommit(this.pipeline.hasFreeConnection())) return this.flush();
        return;
      case "truncate":
        for (const tbl of event.tables) {
          const s = this.byName.get(streamKey(tbl.schema, tbl.table));
          if (s && this.txCommitLsn >= s.savedLsn) {
            this.opts.log.warn("tap", `TRUNCATE of ${quoteIdent(tbl.schema)}.${quoteIdent(tbl.table)} at the source is not replicated: the destination rows are kept. Use Reset Keys on the table for a fresh copy.`);
          }
        }
        return;
      case "relation": {
        const s = this.byName.get(streamKey(event.relation.schema, event.relation.table));
        return s ? this.drift.onRelation(s.t, event.relation) : undefined;
      }
      default:
        return;
    }
  }

  private onChange(event: TRowChange): void | Promise<void> {
    const s = this.byName.get(event.relKey);
    if (!s || this.txCommitLsn < s.savedLsn) return;
    const change = s.t.renames.size > 0 ? withCurrentNames(event, s.t.renames) : event;
    if (change.types) this.drift.checkTypes(s.t, change.types);
    if (s.t.stopApplying) return;
    if (change.op === "insert") this.drift.checkInsert(s.t, change);
    s.t.buffer.add(change, this.txMeta);
    this.policy.buffered++;
    this.changesSeen++;
    if (this.changesSeen === 1) return reachFaultPoint("changes-received").then(() => this.afterChange());
    return this.afterChange();
  }

  /** A transaction bigger than memory should hold: write what we have; its position is saved only once
   * its commit is reached (a crash replays it, and upserts in order converge). */
  private afterChange(): void | Promise<void> {
    if (this.policy.full()) return this.flush();
  }

  /** Nothing in flight and the server has decoded up to `serverLsn`: record it (bounded WAL on the source). */
  async onIdle(serverLsn: TLsn, final: boolean): Promise<void> {
    if (this.policy.buffered > 0) await this.flush();
    await this.settle();
    if (serverLsn <= this.committedLsn()) return;
    if (!final && Date.now() - this.lastIdleSave < 10_000) return;
    this.lastIdleSave = Date.now();
    this.lastCommitEnd = maxLsn(this.lastCommitEnd, serverLsn);
    await this.flush();
    await this.settle();
  }

  async finish(): Promise<void> {
    await this.flush();
    await this.settle();
  }

  /**
   * Writes every table's buffered changes with the position of the last complete transaction, in the
   * background (see WritePipeline).
   */
  async flush(): Promise<void> {
    await this.pipeline.start(await this.takeBatch());
  }

  /** Waits for the writes in flight; rethrows a failure. */
  settle(): Promise<void> {
    return this.pipeline.settle();
  }

  /** Closes the connections the applier opened (the spare). */
  close(): Promise<void> {
    return this.pipeline.close();
  }

  /** Prepares the buffered changes (new columns, values read back from the source) and takes them out. */
  private async takeBatch(): Promise<TBatchEntry[]> {
    this.pipeline.throwIfFailed();
    const upTo = this.lastCommitEnd;
    const batch: TBatchEntry[] = [];
    for (const s of this.opts.tables) {
      const hasChanges = s.t.buffer.size > 0;
      const newLsn = maxLsn(maxLsn(s.savedLsn, s.queuedLsn), upTo);
      if (!hasChanges && newLsn <= maxLsn(s.savedLsn, s.queuedLsn)) continue;
      let groups: TChangeGroup[] = [];
      let received = 0;
      if (hasChanges) {
        await this.drift.addNewColumns(s.t, () => this.settle());
        if (s.t.widen.size > 0) await this.settle().then(() => widenColumns(s.t, this.opts.source, this.opts.loader, this.opts.log));
        await fillMovedRows(this.opts.source, s.t);
        await resolveAmbiguousNulls(this.opts.source, s.t);
        received = s.t.buffer.received;
        // Every change of the batch was read from the slot by now: one extraction time for all of them.
        groups = s.t.buffer.drain(new Date().toISOString());
      }
      const state: TLogBasedState = { ...s.state, lsn: formatLsn(newLsn), columnTypes: Object.fromEntries(s.t.expectedTypes) };
      s.state = state;
      s.queuedLsn = newLsn;
      batch.push({ s, groups, received, state, lsn: newLsn, spec: { ...s.t.spec, columns: [...s.t.spec.columns] }, keys: hasChanges ? s.t.buffer.takeDrainedKeys() : null });
    }
    this.policy.taken();
    return batch;
  }
}
