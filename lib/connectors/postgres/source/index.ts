/**
 * The PostgreSQL source: the TSource contract (lib/connectors/contracts.ts) on one database, and the COPY
 * text fast path (TCopyTextTableSource) the PostgreSQL destination takes as it is. One client with the
 * text session settings (session.ts); columns and keys from the catalog (columns.ts); the reads' SQL in
 * copy-sql.ts; rows as text either way (copy-text-rows.ts parses COPY text for the neutral path, in a
 * snapshot when asked: snapshot-reads.ts);
 * check.ts, discover.ts; streamChanges over the Log-based slot reader (stream-changes.ts).
 *
 *   const source = await openPostgresSource({ conn, database, onSql });
 *   const columns = await source.columns(table);
 *   await destination.replaceTable(spec, await source.copyTable(table, spec), opts);   // fast path
 *   for await (const rows of source.readTable(table, spec, { range })) …         // neutral path
 */
import type { TCopyTextTableSource, TKeyRange, TReadFrom, TSource, TSourceTable } from "../../contracts";
import type { TLoadTableSpec, TSourceColumn } from "../../types";
import type { TSourceConnection } from "@/lib/source/connection";
import { checkSource } from "./check";
import { readRelationOid, readSourceColumns, readSourcePrimaryKey } from "./columns";
import { findKeySql, rangeCopySql, statementShape, type TReadShape } from "./copy-sql";
import { discoverTables } from "./discover";
import { copyOut, openSourceReader } from "./session";
import { inSnapshot, readRows } from "./snapshot-reads";
import { streamChanges, type TStreamSetup } from "./stream-changes";

export type TPostgresSource = TSource & TCopyTextTableSource;
export type { TStreamSetup };

export type TPostgresSourceOptions = {
  conn: TSourceConnection;
  database: string;
  /** Each read's statement as the job log shows it (its values as placeholders: see statementShape). */
  onSql?: (sql: string) => void;
  /** The slot streamChanges reads. */
  stream?: TStreamSetup;
  /** Rows per batch of the neutral path's readTable. */
  batchRows?: number;
};

const tableId = (t: TSourceTable) => `${t.schema}\u0000${t.name}`;

export async function openPostgresSource(opts: TPostgresSourceOptions): Promise<TPostgresSource> {
  const { client, close } = await openSourceReader(opts.conn, opts.database);
  // Columns as last read: the reads' key casts use their types without another catalog query.
  const known = new Map<string, TSourceColumn[]>();
  const columns = async (table: TSourceTable) => {
    const cols = await readSourceColumns(client, table.schema, table.name);
    known.set(tableId(table), cols);
    return cols;
  };
  const shapeOf = async (table: TSourceTable, names: string[]): Promise<TReadShape> => {
    const cols = known.get(tableId(table)) ?? (await columns(table));
    const typeOf = (k: string) => {
      const t = cols.find((c) => c.name === k)?.sourceType;
      if (!t) throw new Error(`Replication key column ${k} no longer exists at the source`);
      return t;
    };
    return { table, columns: names, generated: new Set(cols.filter((c) => c.generated).map((c) => c.name)), typeOf };
  };
  const logged = (sql: string) => {
    opts.onSql?.(statementShape(sql));
    return sql;
  };
  const copySql = async (table: TSourceTable, spec: TLoadTableSpec, range?: TKeyRange) =>
    logged(rangeCopySql(await shapeOf(table, spec.columns.map((c) => c.name)), range));

  return {
    check: () => checkSource(client),
    discover: () => discoverTables(client, opts.database),
    columns,
    primaryKey: (table) => readSourcePrimaryKey(client, table.schema, table.name),
    tableIdentity: (table) => readRelationOid(client, table.schema, table.name),
    readTable: (table, spec, from: TReadFrom = {}) => ({
      async *[Symbol.asyncIterator]() {
        yield* readRows(client, await copySql(table, spec, from.range), opts.batchRows ?? 10_000, from.snapshot);
      },
    }),
    async findKey(table, range, at) {
      const sql = logged(findKeySql(await shapeOf(table, range.columns), range, at));
      return (await client.query<string[]>({ text: sql, rowMode: "array" })).rows[0]?.map(String) ?? null;
    },
    inSnapshot: (fn) => inSnapshot(client, fn),
    async copyTable(table, spec, range) {
      // The statement is made (and logged) now, the COPY opened when the destination asks for the rows.
      const sql = await copySql(table, spec, range);
      return () => copyOut(client, sql);
    },
    streamChanges(position) {
      if (!opts.stream) throw new Error("This source was opened without a replication slot to stream from");
      return streamChanges({ conn: opts.conn, database: opts.database, client, setup: opts.stream, position });
    },
    close,
  };
}
