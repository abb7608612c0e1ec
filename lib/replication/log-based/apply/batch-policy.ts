import type { TApplierOptions } from "./types";

/**
 * When buffered changes are written: at a transaction boundary when the destination is free and the
 * batch is big or old enough; whenever the buffer is full (then reading waits for the write in flight).
 */
export class BatchPolicy {
  /** Changes buffered since the last batch was taken. */
  buffered = 0;
  private lastFlush = Date.now();
  private readonly batchChanges: number;
  private readonly maxBuffered: number;
  private readonly flushEveryMs: number;

  constructor(opts: Pick<TApplierOptions, "batchChanges" | "maxBufferedChanges" | "flushEveryMs">) {
    this.batchChanges = opts.batchChanges ?? 2_000;
    this.maxBuffered = opts.maxBufferedChanges ?? 30_000;
    this.flushEveryMs = opts.flushEveryMs ?? 5_000;
  }

  /** A full buffer is written, even inside a transaction (its position is saved only at its commit). */
  full(): boolean {
    return this.buffered >= this.maxBuffered;
  }

  /** At a commit: write when the destination has a free connection, unless the batch is still small and young. */
  writeAtCommit(freeConnection: boolean): boolean {
    if (this.buffered === 0) return false;
    if (this.full()) return true;
    return freeConnection && (this.buffered >= this.batchChanges || Date.now() - this.lastFlush >= this.flushEveryMs);
  }

  /** The buffer was taken for a write. */
  taken(): void {
    this.buffered = 0;
    this.lastFlush = Date.now();
  }
}
