import { randomInt } from "node:crypto";
import type { TDestinationLoader } from "@/lib/connectors/postgres/destination";
import type { TLoadResult, TWriteLock } from "@/lib/connectors/types";
import { reachFaultPoint } from "../faults";
import { maxLsn } from "../lsn";
import { stateRecord } from "../state";
import type { TApplierOptions, TBatchEntry, TStreamTableState } from "./types";

/**
 * Key types whose text is one-to-one with their value: two changes whose key texts differ never touch
 * the same destination row (unlike numeric's 7.0 and 7.00, or char(n)'s trailing spaces). Text compares
 * by its bytes in the destination's default collation, which is deterministic.
 */
const ONE_TEXT_PER_VALUE = /^(smallint|integer|bigint|uuid|text|character varying(\(\d+\))?|boolean|date)$/;

type TWrite = { loader: TDestinationLoader; batch: TBatchEntry[]; lock: TWriteLock; result: Promise<void>; done: Promise<void> };

/**
 * Batches written to the destination in the background while the stream goes on filling the next one,
 * at most one write in flight per destination connection (a slow destination still back-pressures the
 * stream). Writes commit in order: one on the spare connection merges only once the previous one has
 * committed (or, its keys apart, alongside it and commits after it), and fails if that one failed.
 * Positions count as committed — and so may be acknowledged — only once their write has committed.
 */
export class WritePipeline {
  /** The destination connections opened so far, and how many writes may be in flight. */
  private readonly loaders: TDestinationLoader[];
  private writeSlots: number;
  /** Writes in flight, oldest first: `result` rejects with the write's failure, `done` never rejects. */
  private writes: TWrite[] = [];
  private failure: unknown = null;
  /** Tables whose key types have one text per value (see ONE_TEXT_PER_VALUE). */
  private readonly oneTextKeys = new Set<TStreamTableState>();
  /** This applier's writes' lock keys: a random space (jobs of other integrations have their own), then the write's number. */
  private readonly lockSpace = randomInt(1, 2 ** 31 - 1);
  /** When the writes now in flight began (applyMs counts time with any write in flight once). */
  private writingSince = 0;
  /** Writes started, and those whose merges ran alongside the previous write's (for the job's summary line). */
  writesStarted = 0;
  overlappedWrites = 0;
  /** Time spent writing to the destination (for the job's summary line). */
  applyMs = 0;

  constructor(private readonly opts: TApplierOptions) {
    this.loaders = [opts.loader];
    this.writeSlots = opts.openSpare ? 2 : 1;
    for (const s of opts.tables) {
      const pk = s.t.spec.primaryKey;
      if (pk.length > 0 && pk.every((k) => ONE_TEXT_PER_VALUE.test(s.t.sourceTypes.get(k) ?? ""))) this.oneTextKeys.add(s);
    }
  }

  /** Whether a write could start now without waiting for one in flight. */
  hasFreeConnection(): boolean {
    return this.writes.length < this.writeSlots;
  }

  /** Rethrows the failure of a write, if one failed. */
  throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /** Starts writing `batch` once a connection is free (waited for here); does not wait for the write. */
  async start(batch: TBatchEntry[]): Promise<void> {
    while (this.writes.length >= this.writeSlots) await this.writes[0]!.done;
    if (batch.length === 0) return;
    const loader = await this.freeLoader();
    // A write that failed meanwhile: nothing after it may commit (its position would pass rows lost).
    // settle() lets the others end (they fail too) and throws.
    if (this.failure) await this.settle();
    const prev = this.writes.at(-1);
    const lock: TWriteLock = [this.lockSpace, ++this.writesStarted | 0];
    const overlap = prev && this.keysApart(prev.batch, batch) ? prev : undefined;
    if (overlap) this.overlappedWrites++;
    const result = this.write(batch, loader, lock, prev?.result, overlap?.lock);
    const done = result.then(
      () => undefined,
      (err: unknown) => {
        this.failure ??= err;
      },
    );
    const entry: TWrite = { loader, batch, lock, result, done };
    if (this.writes.length === 0) this.writingSince = performance.now();
    this.writes.push(entry);
    void entry.done.finally(() => {
      this.writes = this.writes.filter((w) => w !== entry);
      if (this.writes.length === 0) this.applyMs += performance.now() - this.writingSince;
    });
  }

  /** Waits for the writes in flight; rethrows a failure. */
  async settle(): Promise<void> {
    while (this.writes.length > 0) await this.writes.at(-1)!.done;
    this.throwIfFailed();
  }

  /** Closes the connections the pipeline opened (the spare). */
  async close(): Promise<void> {
    for (const l of this.loaders.slice(1)) await l.close();
  }

  /**
   * `next` may merge while `prev` is still being written: none of its tables changes a key `prev`
   * changes (so neither write waits for the other's rows), each by a key with one text per value.
   */
  private keysApart(prev: TBatchEntry[], next: TBatchEntry[]): boolean {
    const prevOf = new Map(prev.map((e) => [e.s, e]));
    for (const n of next) {
      if (n.groups.length === 0) continue;
      if (!n.keys || !this.oneTextKeys.has(n.s)) return false;
      const p = prevOf.get(n.s);
      if (!p || p.groups.length === 0) continue;
      if (!p.keys) return false;
      const [fewer, more] = p.keys.size <= n.keys.size ? [p.keys, n.keys] : [n.keys, p.keys];
      for (const k of fewer.keys()) if (more.has(k)) return false;
    }
    return true;
  }

  /** A connection no write in flight uses; the spare is opened the first time one is needed. */
  private async freeLoader(): Promise<TDestinationLoader> {
    const free = this.loaders.find((l) => !this.writes.some((w) => w.loader === l));
    if (free) return free;
    try {
      const spare = await this.opts.openSpare!();
      this.loaders.push(spare);
      return spare;
    } catch (err) {
      this.writeSlots = 1;
      this.opts.log.warn("target", `A second destination connection could not be opened (${err instanceof Error ? err.message : String(err)}): batches are written one after the other`);
      while (this.writes.length > 0) await this.writes[0]!.done;
      return this.opts.loader;
    }
  }

  /**
   * `previous`: the write before this one (on the other connection), which must commit first. With its
   * lock (`previousLock`: keys apart from it), this one merges meanwhile and waits only to commit. The
   * write's own lock is held throughout, for the write after it.
   */
  private async write(batch: TBatchEntry[], loader: TDestinationLoader, lock: TWriteLock, previous: Promise<void> | undefined, previousLock?: TWriteLock): Promise<void> {
    // Not awaited: the connection runs its queries in order, so the lock is taken before the write's
    // first statement, without a round trip of its own. Order itself never rests on it (see applyEntry).
    const locked = loader.lockWrite(lock).catch(() => undefined);
    try {
      for (const b of batch) {
        const { s } = b;
        if (b.groups.length > 0) {
          const res = await this.applyEntry(loader, b, previous, previousLock);
          s.t.totals.rowsInserted += res.rowsInserted;
          s.t.totals.rowsUpdated += res.rowsUpdated;
          s.t.totals.rowsDeleted += res.rowsDeleted;
          s.t.totals.rowsReceived += b.received;
        } else {
          // A position saved alone must not overtake the rows of an earlier write.
          if (previous) await previous;
          await loader.saveState(s.t.table.tableKey, stateRecord(b.state));
        }
        await this.opts.onStateCommitted(s.t.table.tableKey, b.state);
        this.opts.onProgress(s.t.table.tableKey, s.t.totals.rowsReceived);
      }
      if (batch.some((b) => b.groups.length > 0 && b.lsn > b.s.savedLsn)) await reachFaultPoint("changes-committed");
      // Only now may the slot be acknowledged up to these positions.
      for (const b of batch) b.s.savedLsn = maxLsn(b.s.savedLsn, b.lsn);
    } finally {
      // A connection that failed has lost the lock with its session.
      await locked;
      await loader.unlockWrite(lock).catch(() => undefined);
    }
  }

  /** One table's changes, in one destination transaction with its position. */
  private async applyEntry(loader: TDestinationLoader, b: TBatchEntry, previous: Promise<void> | undefined, previousLock: TWriteLock | undefined): Promise<TLoadResult> {
    // The buffer keeps one net change per key (keyed tables): the loader may skip de-duplication.
    const opts = { state: stateRecord(b.state), tableVersion: b.state.tableVersion, uniqueKeys: true };
    if (!previous || !previousLock) return loader.applyChangeGroups(b.spec, b.groups, { ...opts, mergeAfter: previous });
    try {
      return await loader.applyChangeGroups(b.spec, b.groups, { ...opts, commitAfter: { lock: previousLock, done: previous } });
    } catch (err) {
      // A unique index of the destination's own (not the key) can tie rows of the two writes together: a
      // value this batch sets is still held by a row the previous one changes (23505), or the two waited
      // for each other and PostgreSQL ended this one (40P01). In order, it may well fit: written again
      // once the previous write has ended.
      const code = (err as { code?: string }).code;
      if (code !== "23505" && code !== "40P01") throw err;
      this.opts.log.info("target", `A batch for ${b.s.t.table.tableKey} met the batch before it at the destination (${err instanceof Error ? err.message : String(err)}); it is written again after that one`);
      await previous;
      return loader.applyChangeGroups(b.spec, b.groups, opts);
    }
  }
}
