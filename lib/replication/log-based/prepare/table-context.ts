import type pg from "pg";
import type { TJobLogger } from "@/lib/jobs/log";
import { quoteIdent } from "@/lib/naming/identifiers";
import type { TLoadTableSpec } from "@/lib/connectors/postgres/destination";
import { readSourceColumns, readSourcePrimaryKey, type TSourceColumn } from "@/lib/connectors/postgres/source/columns";
import type { TSelectedTable } from "../../selected-tables";
import { binaryReadAs } from "../decode/binary-values";
import { TableChangeBuffer } from "../buffer";
import { isSafeWidening, relationLabel } from "../../column-changes";
import { readPartitions } from "./partitions";
import type { TStreamTable } from "../decode/plugins";

/** Destination tables of Log-based Incremental keep a tenth of each page free for updated rows. */
export const LOG_BASED_FILLFACTOR = 90;

/** One log-based table during a job. */
export type TLogTable = {
  table: TSelectedTable;
  spec: TLoadTableSpec;
  /** The source table's OID: another one under the same name is a table dropped and created again. */
  relid: number;
  /** The replicated source columns at the job's start, with their numbers (see column-changes.ts). */
  columns: TSourceColumn[];
  /** Live source columns at the job's start (types as the source formats them). */
  sourceTypes: Map<string, string>;
  /** The source types the destination table was made from (saved state), updated as changes are noted. */
  expectedTypes: Map<string, string>;
  buffer: TableChangeBuffer;
  totals: { rowsInserted: number; rowsUpdated: number; rowsDeleted: number; rowsReceived: number };
  /** A partitioned table's partitions at the job's start (their changes are the table's); empty for others. */
  partitions: TStreamTable[];
  /** Columns renamed at the source since the saved position (old name → current): older changes carry the old name. */
  renames: Map<string, string>;
  /** Columns whose type widened at the source during the read: their destination column is widened first. */
  widen: Set<string>;
  /** A change the stream cannot carry exactly happened (a type change that is no widening): the rest of its changes are skipped, and the table is copied again after the read. */
  stopApplying: boolean;
  /** Things already said in this job's log (one line per schema change, not one per row). */
  noted: Set<string>;
  /**
   * Every source column's values can be read back from binary (a binary pgoutput stream may carry this
   * table); `binaryReadAs`: the domains' and enums' type OIDs → the type their binary values are read as.
   */
  binaryReadable: boolean;
  binaryReadAs: Map<number, number>;
  /** Replicated columns whose destination column reads their binary values, by the type they are read as: binary rows go straight into them. */
  binaryTypes: Map<string, number>;
};

export { streamKey } from "../decode/stream-key";

/**
 * Builds the destination spec of a selected table from the live source columns. A column is left out
 * only when the user deselected it; columns the catalog has not seen yet (added at the source since the
 * last discovery) are replicated, as discovery would select them.
 */
export async function buildLogTable(source: pg.Client, table: TSelectedTable, destinationTable: string, catalogColumns: string[]): Promise<{ t: TLogTable; replicaIdentity: string }> {
  const columns: TSourceColumn[] = await readSourceColumns(source, table.schema, table.name);
  const pk = table.catalogPrimaryKey.length > 0 ? table.catalogPrimaryKey : await readSourcePrimaryKey(source, table.schema, table.name);
  const selected = new Set([...table.selection.columns, ...pk]);
  const deselected = new Set(catalogColumns.filter((c) => !selected.has(c)));
  const kept = columns.filter((c) => !deselected.has(c.name));
  const skipped = deselected;
  const buffer = new TableChangeBuffer(pk, skipped);
  buffer.setKnownColumns(kept.map((c) => c.name));
  const readAs = columns.map((c) => ({ c, as: binaryReadAs(c) }));
  const partitions = await readPartitions(source, table.schema, table.name);
  const ident = await source.query<{ relreplident: string; oid: string }>(`SELECT relreplident, oid::text AS oid FROM pg_catalog.pg_class WHERE oid = $1::regclass`, [`${quoteIdent(table.schema)}.${quoteIdent(table.name)}`]);
  return {
    t: {
      table,
      spec: {
        tableKey: table.tableKey,
        table: destinationTable,
        columns: kept.map((c) => ({ name: c.name, type: c.destinationType })),
        primaryKey: pk,
        // Every update and soft delete writes a new row version: room on the page keeps it there (HOT).
        fillfactor: LOG_BASED_FILLFACTOR,
      },
      relid: Number(ident.rows[0]?.oid ?? 0),
      columns: kept,
      sourceTypes: new Map(columns.map((c) => [c.name, c.sourceType])),
      expectedTypes: new Map(columns.map((c) => [c.name, c.sourceType])),
      buffer,
      totals: { rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 0 },
      partitions,
      renames: new Map(),
      widen: new Set(),
      stopApplying: false,
      noted: new Set(),
      binaryReadable: readAs.every((r) => r.as !== null),
      binaryReadAs: new Map(readAs.filter((r) => r.as !== null && r.as !== r.c.typeOid).map((r) => [r.c.typeOid, r.as!])),
      // A built-in type lands as itself (a type changed since the destination was made aside); a domain as
      // its base type, an enum as text: what their binary values are.
      binaryTypes: new Map(
        readAs.filter((r) => r.as !== null && !deselected.has(r.c.name) && (r.as !== r.c.typeOid || r.c.sourceType === r.c.destinationType)).map((r) => [r.c.name, r.as!]),
      ),
    },
    replicaIdentity: ident.rows[0]?.relreplident ?? "d",
  };
}

/**
 * A column's type changed at the source while the stream was read (said once per job). A safe widening is
 * queued for the destination (made before the next batch is written); any other change stops applying
 * the table's changes: values of the new type may not fit the destination column, and the copy made at
 * the end of the read (see recopyAfterStream) brings every row as it is then.
 */
export function noteTypeChange(t: TLogTable, log: TJobLogger, col: string, before: string, after: string): void {
  t.expectedTypes.set(col, after);
  const key = `type:${col}:${after}`;
  if (t.noted.has(key)) return;
  t.noted.add(key);
  const what = `Column ${quoteIdent(col)} of ${relationLabel(t.table.schema, t.table.name)} changed type at the source from ${before} to ${after}`;
  if (isSafeWidening(before, after)) {
    t.widen.add(col);
    log.info("tap", `${what}: the destination column is widened before the next changes are written`);
    return;
  }
  t.stopApplying = true;
  log.warn("tap", `${what}: its changes are no longer applied in this read; the table is copied again at its end`);
}
