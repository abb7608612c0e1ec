import type pg from "pg";
import type { TJobLogger } from "@/lib/jobs/log";
import { quoteIdent } from "@/lib/naming/identifiers";
import type { TLoadTableSpec } from "@/lib/destination/loader";
import { readSourceColumns, readSourcePrimaryKey, type TSourceColumn } from "../source-columns";
import type { TSelectedTable } from "../selected-tables";
import { binaryReadAs } from "./binary-values";
import { TableChangeBuffer } from "./buffer";
import { readPartitions } from "./partitions";
import type { TStreamTable } from "./plugins";

/** Destination tables of Log-based Incremental keep a tenth of each page free for updated rows. */
export const LOG_BASED_FILLFACTOR = 90;

/** One log-based table during a job. */
export type TLogTable = {
  table: TSelectedTable;
  spec: TLoadTableSpec;
  /** Live source columns at the job's start (types as the source formats them). */
  sourceTypes: Map<string, string>;
  /** The source types the destination table was made from (saved state), updated as changes are noted. */
  expectedTypes: Map<string, string>;
  buffer: TableChangeBuffer;
  totals: { rowsInserted: number; rowsUpdated: number; rowsDeleted: number; rowsReceived: number };
  /** A partitioned table's partitions at the job's start (their changes are the table's); empty for others. */
  partitions: TStreamTable[];
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

export { streamKey } from "./stream-key";

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
  const ident = await source.query<{ relreplident: string }>(`SELECT relreplident FROM pg_catalog.pg_class WHERE oid = $1::regclass`, [`${quoteIdent(table.schema)}.${quoteIdent(table.name)}`]);
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
      sourceTypes: new Map(columns.map((c) => [c.name, c.sourceType])),
      expectedTypes: new Map(columns.map((c) => [c.name, c.sourceType])),
      buffer,
      totals: { rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 0 },
      partitions,
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

/** Says once per job that a column's type changed at the source, with the statement that fixes it. */
export function noteTypeChange(t: TLogTable, log: TJobLogger, destSchema: string, col: string, before: string, after: string): void {
  t.expectedTypes.set(col, after);
  const key = `type:${col}:${after}`;
  if (t.noted.has(key)) return;
  t.noted.add(key);
  const dest = `${quoteIdent(destSchema)}.${quoteIdent(t.spec.table)}`;
  log.warn(
    "tap",
    `Column ${quoteIdent(col)} of ${quoteIdent(t.table.schema)}.${quoteIdent(t.table.name)} changed type at the source from ${before} to ${after}. ` +
      `The destination column keeps its type; values that do not fit it will fail to load. ` +
      `Fix: ALTER TABLE ${dest} ALTER COLUMN ${quoteIdent(col)} TYPE ${after} USING ${quoteIdent(col)}::${after}; — or use Reset Keys on the table for a fresh copy.`,
  );
}
