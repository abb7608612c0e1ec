/**
 * The data shapes connectors exchange (see contracts.ts). Values travel as text in PostgreSQL's text
 * output format (the session settings of text-session.ts), null for SQL NULL: the one representation
 * every source can print and every destination can parse. The COPY shapes at the end belong to the
 * PostgreSQL fast paths.
 */
import type { Readable } from "node:stream";

/** A source column as it lands at the destination. */
export type TLoadColumn = {
  name: string;
  /** The destination column type, SQL as format_type writes it (already resolved: enums → text, domains → base type). */
  type: string;
};

/** A source column: its type as declared and as it lands at the destination, and how it is known across renames. */
export type TSourceColumn = {
  name: string;
  /** As the source declares it (format_type): order_status, numeric(12,2), my_domain. */
  sourceType: string;
  /** What the destination column is made of: built-in types kept; enums, composites and extension types as text; domains as their base type. */
  destinationType: string;
  /** The column's own type OID (a domain's or an enum's, not what it resolves to). */
  typeOid: number;
  /** That type's kind (pg_type.typtype: b base, d domain, e enum, c composite…) and, for a domain, its base type's OID. */
  typeKind: string;
  baseTypeOid: number;
  /** The column's number in its table: kept by a rename, new for a column dropped and added again. */
  attnum: number;
  /**
   * Existing rows may hold a value they got without being written (no change a Key-based read or a change
   * stream sees): a default, a "missing" value, a generated column; any column of a view.
   */
  fillsExisting: boolean;
  /** A generated column (PostgreSQL 12+): COPY of the table cannot name it, a COPY of a SELECT can. */
  generated: boolean;
};

/** One destination table the loader writes. */
export type TLoadTableSpec = {
  /** The catalog's table key ("<db>.<schema>.<table>", each part quoted); the state is stored under it. */
  tableKey: string;
  /** The destination table name inside the integration's schema (see naming.ts). */
  table: string;
  /** Source columns, in the order COPY text rows carry them. Never the _sdc columns. */
  columns: TLoadColumn[];
  /** Primary key column names; empty = keyless table, rows are appended. */
  primaryKey: string[];
  /**
   * The table's fillfactor when the loader creates it (default 100). Below 100 leaves room on each page
   * for updated row versions (HOT updates: no new index entry), for tables a change stream keeps updating.
   */
  fillfactor?: number;
};

/** The replication state of one table, JSON; saved in the same destination transaction as the rows it covers. */
export type TReplicationState = Record<string, unknown>;

/** What one load step did. */
export type TLoadResult = { rowsInserted: number; rowsUpdated: number; rowsDeleted: number; rowsReceived: number };

/** Produces COPY text-format rows of the spec's columns (in order). Opened lazily, after the loader's DDL. */
export type TCopyTextSource = () => Readable;

/** Row metadata the loader writes into the _sdc columns (ISO timestamps). */
export type TBatchMeta = {
  extractedAt: string;
  /** Defaults to extractedAt-derived ordering; log-based passes an LSN-derived number. */
  sequence?: bigint;
};

/**
 * One change of a change stream (log-based). `values` holds text values exactly as the source prints them
 * (null = SQL NULL); a column ABSENT from `values` is left untouched at the destination (unchanged TOAST).
 */
export type TChange =
  | { kind: "upsert"; values: Record<string, string | null>; extractedAt: string; sequence?: bigint }
  /** Keeps the row and sets _sdc_deleted_at; `key` holds the primary key values (other columns optional). */
  | { kind: "delete"; key: Record<string, string | null>; deletedAt: string; extractedAt: string; sequence?: bigint };

export type TProgress = (rowsSoFar: number) => void;

/** One row of a table read: the spec's columns in order, each as text (null = SQL NULL). */
export type TRow = readonly (string | null)[];

/** Rows of one table in batches (the neutral path: any source can produce them, any destination load them). */
export type TRowBatches = AsyncIterable<readonly TRow[]>;

/** What replacing a table or loading a batch writes with the rows. */
export type TLoadOptions = { state: TReplicationState; tableVersion: number; meta: TBatchMeta; onProgress?: TProgress };

export type TApplyChangesOptions = {
  state: TReplicationState;
  tableVersion: number;
  /**
   * The caller guarantees at most one change per primary key in the call (e.g. the log-based buffer,
   * which merges changes per key): the merge then skips ordering and de-duplication. Without it,
   * several changes to one key are fine (the last one wins).
   */
  uniqueKeys?: boolean;
  /**
   * The merges and the commit wait for it (the previous batch, written on another connection, must
   * commit first: same keys, saved positions in order); the COPY into staging goes ahead meanwhile. If
   * it rejects, this call rolls back and rejects too.
   */
  mergeAfter?: Promise<unknown>;
  /**
   * The previous write, on another connection, changes none of this call's keys: the merges run at once,
   * alongside its merges, and only the state and COMMIT wait for it (positions are saved in order). The
   * wait is in the database, for the lock that write holds (lockWrite): should the two writes still wait
   * for each other through rows (a unique index added at the destination), PostgreSQL sees the cycle and
   * ends one of them with a deadlock error instead of both waiting forever. Then, for its outcome: if it
   * failed, this call rolls back and rejects with its error.
   */
  commitAfter?: { lock: TWriteLock; done: Promise<unknown> };
};

/** A write's advisory lock key (two int4: the writer's space and the write's number). */
export type TWriteLock = readonly [number, number];

/**
 * One change as the merge reads it: `values` indexed by the group's `at` positions; undefined there means
 * the column was not sent (kept at the destination). Shaped so the log-based buffer hands its entries over
 * without copying them.
 */
export type TChangeRow = {
  readonly values: readonly (string | null | undefined)[];
  extractedAt?: string;
  sequence?: bigint;
  deletedAt?: string | null;
  /** In a group with an `arena`: the row's bytes there (its values are then not used). */
  start?: number;
  end?: number;
  /** A binary arena row that is the whole staging row already (see encodeGroup). */
  framed?: boolean;
};

/** A run of changes of one kind with the same columns: one COPY into staging and one merge. */
export type TChangeGroup = {
  kind: TChange["kind"];
  /** The source columns every row of the group carries, in COPY order. */
  sourceCols: string[];
  /** Where each of sourceCols sits in a row's values. */
  at: number[];
  rows: TChangeRow[];
  /** One _sdc_extracted_at for every row (a literal in the merge, not a staged column); else each row's own. */
  extractedAt?: string;
  /**
   * Rows already encoded: each row's source columns are the COPY text (tab-separated, escaped) at
   * arena[start, end), in sourceCols order.
   */
  arena?: Buffer;
  /** The arena's rows are COPY BINARY rows in the staging columns' types (see TChangeRow.framed), not text. */
  binary?: boolean;
  /**
   * Upserts of keys that were new at the source in this batch (each one's first change was an insert):
   * most likely absent at the destination, so they are tried as a plain INSERT (see insertSql). A key
   * there after all (deleted at the source, then inserted again) makes the loader merge them instead.
   */
  insertOnly?: boolean;
};

