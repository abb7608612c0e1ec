import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { Readable } from "node:stream";
import { TEXT_SESSION_SQL } from "@/lib/connectors/postgres/destination/text-session";
import { openSourceClient, type TSourceConnection } from "@/lib/source/connection";
import { quoteIdent } from "@/lib/naming/identifiers";

/** A source client for one database with the same text session settings as the loader (exact values). */
export async function openSourceReader(conn: TSourceConnection, database: string): Promise<{ client: pg.Client; close(): Promise<void> }> {
  const opened = await openSourceClient(conn, database, { applicationName: "pgreplicate-extract" });
  try {
    await opened.client.query(TEXT_SESSION_SQL);
  } catch (err) {
    await opened.close().catch(() => undefined);
    throw err;
  }
  return { client: opened.client, close: opened.close };
}

/** `COPY (…) TO STDOUT` in text format; the rows stream through untouched. */
export function copyOut(client: pg.Client, sql: string): Readable {
  return client.query(copyTo(sql));
}

export function relationSql(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}
