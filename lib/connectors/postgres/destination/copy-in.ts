import { Transform, type Readable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { from as copyFrom, type CopyStreamQuery } from "pg-copy-streams";
import { quoteIdent } from "@/lib/naming/identifiers";
import type { TCopyTextSource, TProgress } from "../../types";
import type { TPgSession } from "./session";

/** Counts COPY text rows (one raw newline per row: newlines inside values are escaped) for progress. */
function rowCounter(onProgress: TProgress | undefined): Transform {
  let rows = 0;
  let lastReport = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (onProgress) {
        let i = chunk.indexOf(10);
        while (i !== -1) {
          rows++;
          i = chunk.indexOf(10, i + 1);
        }
        const now = Date.now();
        if (now - lastReport > 500) {
          lastReport = now;
          onProgress(rows);
        }
      }
      done(null, chunk);
    },
  });
}

/** COPY of a COPY text stream into `target` (bytes passed through, never parsed); the rows copied. */
export async function copyStream(s: TPgSession, target: string, columns: string[], source: TCopyTextSource, onProgress?: TProgress): Promise<number> {
  const sql = `COPY ${target} (${columns.map(quoteIdent).join(", ")}) FROM STDIN`;
  s.opts.onSql?.(sql);
  const ingest = s.client.query(copyFrom(sql));
  const input: Readable = source();
  await pipeline(input, rowCounter(onProgress), ingest);
  const count = ingest.rowCount ?? 0;
  onProgress?.(count);
  return count;
}

/** pg-copy-streams' hook the server's CopyInResponse reaches (not in its types). */
type TCopyInHooks = { handleCopyInResponse(connection: unknown): void };

function hasCopyInHook(stream: CopyStreamQuery): stream is CopyStreamQuery & TCopyInHooks {
  return "handleCopyInResponse" in stream && typeof stream.handleCopyInResponse === "function";
}

/** Resolves once the server is ready for data (its CopyInResponse), rejects on the stream's error. */
function readyForData(ingest: CopyStreamQuery): Promise<void> {
  if (!hasCopyInHook(ingest)) throw new Error("pg-copy-streams no longer exposes handleCopyInResponse");
  const handle = ingest.handleCopyInResponse.bind(ingest);
  return new Promise<void>((resolve, reject) => {
    ingest.handleCopyInResponse = (connection) => {
      handle(connection);
      resolve();
    };
    ingest.once("error", reject);
  });
}

/**
 * COPY of text (or, `binary`, COPY BINARY) chunks into `target`. The chunks are encoded and written one
 * after the other only once the server is ready for data, without yielding in between: the server
 * parses one chunk while the next is encoded, and a busy replication stream in the same process cannot
 * delay the data. `before`: statements sent in the same query, ahead of the COPY (one round trip less).
 */
export async function copyChunks(s: TPgSession, target: string, columns: string[], chunks: Iterable<string | Buffer>, before: string[] = [], binary = false): Promise<number> {
  const sql = `COPY ${target} (${columns.map(quoteIdent).join(", ")}) FROM STDIN${binary ? " (FORMAT binary)" : ""}`;
  s.opts.onSql?.(sql);
  const ingest = copyFrom([...before, sql].join(";\n"));
  const ready = readyForData(ingest);
  const done = finished(ingest);
  done.catch(() => undefined); // awaited below; an error before the server was ready rejects `ready` too
  s.client.query(ingest);
  await ready;
  try {
    for (const chunk of chunks) ingest.write(chunk);
  } catch (err) {
    ingest.destroy(err instanceof Error ? err : new Error(String(err))); // sends CopyFail: the connection leaves COPY mode, the transaction fails
    throw err;
  }
  ingest.end();
  await done;
  return ingest.rowCount;
}
