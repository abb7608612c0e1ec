/**
 * What a source and a destination must do, and nothing of how: the replication methods are written
 * against these, and a connector is one folder implementing them (see README.md; the conformance suite,
 * test/integration/connector-conformance.test.ts, is the checklist). Modelled on PeerDB's
 * flow/connectors/core.go: a small neutral interface per role, plus optional fast-path interfaces a
 * connector offers when it can do better (PostgreSQL → PostgreSQL COPY), chosen when both ends offer them.
 */
import type {
  TApplyChangesOptions,
  TChange,
  TChangeGroup,
  TCopyTextSource,
  TLoadOptions,
  TLoadResult,
  TLoadTableSpec,
  TReplicationState,
  TRowBatches,
  TSourceColumn,
  TWriteLock,
} from "./types";

/** The kinds of destination the product can store (db/schema/destinations.ts `kind`). */
export const DESTINATION_KINDS = ["postgres"] as const;
export type TDestinationKind = (typeof DESTINATION_KINDS)[number];

/** One finding of a check: what was tested, whether it holds, and why not. */
export type TCheckItem = { label: string; status: "pass" | "warn" | "fail"; detail: string };
export type TCheckResult = { ok: boolean; items: TCheckItem[] };

/**
 * A table at the source, as discovery lists it and the reads name it. `kind` (when the caller knows it
 * from discovery) spares the source a catalog lookup: a view or a partitioned table is read another way.
 */
export type TSourceTable = { schema: string; name: string; kind?: "table" | "view" | "materialized_view" | "partitioned_table" };

/**
 * Which rows of a table a read covers, by its key (`columns`, values as text): those after `after`
 * (from it when `inclusive`; all when null) up to and including `through`, ordered by the key. Or
 * `nulls`: the rows with a NULL in the key, which no range reaches. Two bounds, not one bookmark, so a
 * batch ends on a key value and rows with equal keys never straddle two batches (Key-based Incremental).
 */
export type TKeySpan = { columns: string[]; after: string[] | null; inclusive: boolean; through?: string[] };
export type TKeyRange = TKeySpan | { columns: string[]; nulls: true };

/** Where a read starts: an exported snapshot (so the copy and a change stream meet) and/or a key range. */
export type TReadFrom = { snapshot?: string; range?: TKeyRange };

/** A batch of changes read from a change stream, and the position to resume after it once it is committed. */
export type TChangeBatch = { table: TSourceTable; changes: TChange[]; position: string };

/**
 * A change stream: the batches in commit order, and `commit`, by which the consumer says what its
 * destination has committed. Only that is acknowledged to the source (never what was merely received,
 * pg-logical-replication's issue #174), so it is where the next stream resumes.
 */
export type TChangeStream = AsyncIterable<TChangeBatch> & { commit(position: string): void };

export interface TSource {
  /** Connects and tests what the reads need (privileges, settings); writes nothing. */
  check(): Promise<TCheckResult>;
  /** The tables the user may replicate, with their columns and keys; read-only. */
  discover(): Promise<{ table: TSourceTable; columns: { name: string; type: string }[]; primaryKey: string[] }[]>;
  /** A table's live columns with their destination types, in column order; read-only. */
  columns(table: TSourceTable): Promise<TSourceColumn[]>;
  /** A table's primary key columns in key order (none for a view); read-only. */
  primaryKey(table: TSourceTable): Promise<string[]>;
  /** A number that changes when another table takes the name (dropped and created again). */
  tableIdentity(table: TSourceTable): Promise<number>;
  /**
   * The table's rows as of one consistent snapshot (`snapshot`: one exported by a change stream's setup,
   * so the copy and the stream meet), in `range` when given, ordered by its key. Rows are in spec.columns
   * order, as text. Reading the same range again yields the same rows or newer ones.
   */
  readTable(table: TSourceTable, spec: TLoadTableSpec, from?: TReadFrom): TRowBatches;
  /**
   * The key that ends a batch: that of the `rows`-th row of `range` in key order, or with "last" the
   * highest key in it; null when the range has no such row. Read-only.
   */
  findKey(table: TSourceTable, range: TKeySpan, at: { rows: number } | "last"): Promise<string[] | null>;
  /** Runs `fn` with every read of this source in one snapshot (e.g. a copy and the highest key it holds). */
  inSnapshot<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Changes committed after `position`, in commit order, in batches, up to the position current when
   * the stream starts. The source keeps what comes after the last position committed through the
   * stream, so a crash replays changes (the destination's apply is idempotent), never skips them.
   */
  streamChanges(position: string): TChangeStream;
  close(): Promise<void>;
}

export interface TDestination {
  readonly kind: TDestinationKind;
  /** Connects and tests the privileges prepare and the writes need; writes nothing. */
  check(): Promise<TCheckResult>;
  /** Creates the integration's namespace and the state store. Idempotent; safe for two jobs at once. */
  prepare(): Promise<void>;
  /** The state last committed with a table's rows, or null. The destination's copy is the truth. */
  readState(tableKey: string): Promise<TReplicationState | null>;
  /**
   * Creates the table (the spec's columns, the _sdc columns, the key) or adds the spec's columns it
   * lacks. Idempotent. `existingColumns`: the columns it had before (none when it created the table).
   */
  ensureTable(spec: TLoadTableSpec): Promise<{ created: boolean; addedColumns: string[]; existingColumns: string[] }>;
  /** A source rename: only when the table has `from` and not `to` (a replay finds it done); true when it renamed. */
  renameColumn(table: string, from: string, to: string): Promise<boolean>;
  /** A safe widening the caller has checked; nothing when the column is missing or already so; true when changed. */
  alterColumnType(table: string, column: string, type: string): Promise<boolean>;
  /**
   * Replaces the table with `rows` atomically: readers see the old table until the new one is complete,
   * and the state commits in the same transaction as the swap. A failure leaves table and state as they were.
   */
  replaceTableRows(spec: TLoadTableSpec, rows: TRowBatches, opts: TLoadOptions): Promise<TLoadResult>;
  /**
   * Upserts `rows` by the primary key (a keyless table: appends them), the state committed in the same
   * transaction as the rows. Must be idempotent for keyed tables: loading the same rows again changes nothing.
   */
  upsertRows(spec: TLoadTableSpec, rows: TRowBatches, opts: TLoadOptions): Promise<TLoadResult>;
  /**
   * Applies changes in order (an upsert writes only the columns it carries; a delete keeps the row and
   * sets _sdc_deleted_at), the state committed in the same transaction. Must be idempotent: a replay
   * from an earlier state converges to the same rows.
   */
  applyChanges(spec: TLoadTableSpec, changes: TChange[], opts: TApplyChangesOptions): Promise<TLoadResult>;
  /** Commits state alone (a position with no rows to write), in its own transaction. */
  saveState(tableKey: string, state: TReplicationState): Promise<void>;
  close(): Promise<void>;
}

/**
 * Fast path, PostgreSQL COPY text: a source that can hand a table over as COPY text and a destination
 * that takes it as it is (bytes passed through, never parsed). Same contracts as replaceTableRows and
 * upsertRows.
 */
export interface TCopyTextDestination {
  replaceTable(spec: TLoadTableSpec, source: TCopyTextSource, opts: TLoadOptions): Promise<TLoadResult>;
  loadBatch(spec: TLoadTableSpec, source: TCopyTextSource, opts: TLoadOptions): Promise<TLoadResult>;
}

/**
 * Fast path, PostgreSQL COPY text, the source's half: readTable's rows (same contract, no snapshot of its
 * own: call it inside inSnapshot) as COPY text of spec.columns, bytes never parsed. Resolves once the
 * statement is ready; the COPY itself opens when the destination calls the returned function.
 */
export interface TCopyTextTableSource {
  copyTable(table: TSourceTable, spec: TLoadTableSpec, range?: TKeyRange): Promise<TCopyTextSource>;
}

/**
 * Fast path, a PostgreSQL change stream: changes already grouped by shape, their rows possibly COPY text
 * or COPY BINARY bytes in an arena (TChangeGroup). Same contract as applyChanges.
 */
export interface TChangeGroupDestination {
  applyChangeGroups(spec: TLoadTableSpec, groups: TChangeGroup[], opts: TApplyChangesOptions): Promise<TLoadResult>;
}

/**
 * Writes that overlap on two connections (the next batch copies while the previous one merges): a
 * write's lock held across its transactions, for a later one to wait for in the database.
 */
export interface TOverlappingWrites {
  lockWrite(lock: TWriteLock): Promise<void>;
  unlockWrite(lock: TWriteLock): Promise<void>;
  /** Another destination like this one, on its own connection, for the overlapping write. */
  fork(): Promise<this>;
}

/** Whether a destination offers the COPY text fast path. */
export function offersCopyText<D extends TDestination>(d: D): d is D & TCopyTextDestination {
  return "replaceTable" in d && typeof d.replaceTable === "function" && "loadBatch" in d && typeof d.loadBatch === "function";
}

/** Whether a source offers its tables as COPY text. */
export function offersCopyTextTable<S extends TSource>(s: S): s is S & TCopyTextTableSource {
  return "copyTable" in s && typeof s.copyTable === "function";
}

/** Whether a destination offers the grouped-changes fast path. */
export function offersChangeGroups<D extends TDestination>(d: D): d is D & TChangeGroupDestination {
  return "applyChangeGroups" in d && typeof d.applyChangeGroups === "function";
}
