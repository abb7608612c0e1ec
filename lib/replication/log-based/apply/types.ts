import type pg from "pg";
import type { TDestinationLoader } from "@/lib/connectors/postgres/destination";
import type { TChangeGroup, TLoadTableSpec } from "@/lib/connectors/types";
import type { TJobLogger } from "@/lib/jobs/log";
import type { TLsn } from "../lsn";
import type { TKeyId } from "../buffer/row-arena";
import type { TLogBasedState } from "../state";
import type { TLogTable } from "../prepare/table-context";

export type TStreamTableState = {
  t: TLogTable;
  state: TLogBasedState;
  /** Committed at the destination (what the slot may be acknowledged to). */
  savedLsn: TLsn;
  /** Handed to a write that may still be running. */
  queuedLsn: TLsn;
};

/** One table's part of a write. `keys`: the keys its changes touch (null: a keyless table). */
export type TBatchEntry = { s: TStreamTableState; groups: TChangeGroup[]; received: number; state: TLogBasedState; lsn: TLsn; spec: TLoadTableSpec; keys: ReadonlyMap<TKeyId, unknown> | null };

export type TApplierOptions = {
  source: pg.Client;
  loader: TDestinationLoader;
  /**
   * Opens a second connection to the destination: a batch's COPY into staging then runs while the
   * previous batch's merges run on the other one (its merges wait for that commit). Called only when a
   * second write would start (most jobs never need it); close() closes it.
   */
  openSpare?: (() => Promise<TDestinationLoader>) | null;
  log: TJobLogger;
  tables: TStreamTableState[];
  /** The slot's confirmed position when reading started: never acknowledge below it. */
  slotConfirmed: TLsn;
  onStateCommitted(tableKey: string, state: TLogBasedState): Promise<void>;
  onProgress(tableKey: string, rowsDone: number): void;
  /**
   * Changes buffered before a write starts at a transaction boundary when the destination is idle. While
   * a write runs the stream goes on, so batches grow to what arrives meanwhile (up to maxBufferedChanges).
   */
  batchChanges?: number;
  /**
   * Changes buffered before reading waits for the write in flight; inside one huge transaction, also the
   * point where they are written anyway (its position is saved only at its commit).
   */
  maxBufferedChanges?: number;
  flushEveryMs?: number;
};
