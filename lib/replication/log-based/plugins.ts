import type { Client } from "pg";
import { PgoutputPlugin, Wal2JsonPlugin, type Pgoutput } from "pg-logical-replication";

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
 * wal2json's JSON writes numbers bare (numeric 12345678901234567890.123456789 would lose digits in
 * JSON.parse). The value of a column object follows `{` or `,` + `"value":`; inside a JSON string a quote
 * is always escaped, so this pattern cannot match string content. Bare numbers become strings first.
 */
const BARE_VALUE_RE = /([{,]"value":)(-?[0-9][0-9.eE+-]*)(?=[,}])/g;

export function parseWal2JsonExact(text: string): unknown {
  return JSON.parse(text.replace(BARE_VALUE_RE, '$1"$2"'));
}

/** Emitted for every message parsed, before it is queued: lets the reader know what is in flight. */
export type TOnParsed = () => void;

/**
 * wal2json, format-version 2 (one message per change; version 1 builds one document per transaction,
 * which a 500k-row UPDATE cannot survive), tables filtered on the server with add-tables, types
 * included, transaction begin/commit with their positions.
 */
export class ExactWal2JsonPlugin extends Wal2JsonPlugin {
  constructor(
    private readonly tables: TStreamTable[],
    private readonly onParsed: TOnParsed = () => undefined,
  ) {
    super({});
  }
  override start(client: Client, slotName: string, lastLsn: string): Promise<unknown> {
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
  override parse(buffer: Buffer): unknown {
    this.onParsed();
    return parseWal2JsonExact(buffer.toString("utf8"));
  }
}

const identity = (v: unknown) => v;

/**
 * pgoutput (built into PostgreSQL 10+) through a publication. The library would run pg-types' parsers
 * over the text values (timestamps to Date, arrays to JS arrays); values stay text here.
 */
export class TextPgoutputPlugin extends PgoutputPlugin {
  constructor(
    private readonly publications: string[],
    private readonly onParsed: TOnParsed = () => undefined,
  ) {
    super({ protoVersion: 1, publicationNames: publications });
  }
  override start(client: Client, slotName: string, lastLsn: string): Promise<unknown> {
    const names = this.publications.map((p) => `"${p.replace(/"/g, '""')}"`).join(",");
    return client.query(`START_REPLICATION SLOT "${slotName}" LOGICAL ${lastLsn} (proto_version '1', publication_names ${replLiteral(names)})`);
  }
  override parse(buffer: Buffer): Pgoutput.Message {
    this.onParsed();
    const msg = super.parse(buffer);
    // The relation is cached by the parser and reused for the tuples that follow it.
    if (msg.tag === "relation") for (const col of msg.columns) col.parser = identity;
    return msg;
  }
}
