import type { Client } from "pg";
import type { TStreamEvent } from "./events";
import { decodeWal2Json, parseWal2JsonExact } from "./wal2json-decoder";
import { PgoutputDecoder } from "./pgoutput-decoder";

export type TPluginName = "wal2json" | "pgoutput";

/** A table as the reader filters it. */
export type TStreamTable = { schema: string; name: string };

/** A string literal in a replication command (standard quoting: only quotes double). */
function replLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** wal2json's add-tables syntax: schema.table, with space ' , . * and backslash escaped by a backslash. */
export function wal2jsonTableFilter(tables: TStreamTable[]): string {
  const esc = (s: string) => s.replace(/[\\ ',.*]/g, (c) => `\\${c}`);
  return tables.map((t) => `${esc(t.schema)}.${esc(t.name)}`).join(",");
}

/**
 * The plugin contract of pg-logical-replication (its AbstractPlugin is not exported): `start` issues
 * START_REPLICATION, `parse` turns one message into what the service emits; the message is buffer[at,
 * end) (the reader hands over the socket's chunk as it is, without a view per message). The buffer is
 * the connection's read buffer, valid only until the handler returns: a pgoutput change still holding
 * its tuple there (`raw`) is copied out by the reader when it is not handled at once.
 */
export type TDecodingPlugin = {
  readonly options: unknown;
  readonly name: string;
  start(client: Client, slotName: string, lastLsn: string): Promise<unknown>;
  parse(buffer: Buffer, at?: number, end?: number): TStreamEvent;
};

/**
 * wal2json, format-version 2 (one message per change; version 1 builds one document per transaction,
 * which a 500k-row UPDATE cannot survive), tables filtered on the server with add-tables, types
 * included, transaction begin/commit with their positions.
 */
export class Wal2JsonEventsPlugin implements TDecodingPlugin {
  readonly options = {};
  readonly name = "wal2json";
  constructor(private readonly tables: TStreamTable[]) {}
  start(client: Client, slotName: string, lastLsn: string): Promise<unknown> {
    const opts: [string, string][] = [
      ["format-version", "2"],
      ["include-types", "1"],
      ["include-typmod", "1"],
      ["include-timestamp", "1"],
      ["include-lsn", "1"],
      ["include-transaction", "1"],
      ["include-pk", "1"],
      ["add-tables", wal2jsonTableFilter(this.tables)],
    ];
    const sql = `START_REPLICATION SLOT "${slotName}" LOGICAL ${lastLsn} (${opts.map(([k, v]) => `"${k}" ${replLiteral(v)}`).join(", ")})`;
    return client.query(sql);
  }
  parse(buffer: Buffer, at = 0, end = buffer.length): TStreamEvent {
    return decodeWal2Json(parseWal2JsonExact(buffer.toString("utf8", at, end)));
  }
}

/**
 * pgoutput (built into PostgreSQL 10+) through a publication, decoded by our PgoutputDecoder. `binary`
 * (PostgreSQL 14+): values in their types' binary form, which the walsender makes faster than text and
 * the destination reads faster (COPY BINARY); only for streams whose every column type we can read back.
 */
export class PgoutputEventsPlugin implements TDecodingPlugin {
  readonly options = {};
  readonly name = "pgoutput";
  private readonly decoder: PgoutputDecoder;
  constructor(
    private readonly publications: string[],
    private readonly binary = false,
    /** Binary: domains' and enums' type OIDs → the type their values are read as. */
    readAs: ReadonlyMap<number, number> = new Map(),
  ) {
    this.decoder = new PgoutputDecoder(readAs);
  }
  start(client: Client, slotName: string, lastLsn: string): Promise<unknown> {
    const names = this.publications.map((p) => `"${p.replace(/"/g, '""')}"`).join(",");
    const binary = this.binary ? ", binary 'true'" : "";
    return client.query(`START_REPLICATION SLOT "${slotName}" LOGICAL ${lastLsn} (proto_version '1', publication_names ${replLiteral(names)}${binary})`);
  }
  parse(buffer: Buffer, at = 0): TStreamEvent {
    // Every pgoutput message says its own lengths: the decoder never reads past its end.
    return this.decoder.decode(buffer, at);
  }
}
