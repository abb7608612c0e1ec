import type { Readable } from "node:stream";
import type { TRow } from "../../types";

const ESCAPES: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

function isOctal(c: number): boolean {
  return c >= 0x30 && c <= 0x37;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** One COPY text field (bytes [s, e) of a line) as its value: `\N` is NULL; escapes are undone on bytes, then UTF-8. */
function decodeField(buf: Buffer, s: number, e: number): string | null {
  if (e - s === 2 && buf[s] === 0x5c && buf[s + 1] === 0x4e) return null;
  if (buf.indexOf(0x5c, s) === -1 || buf.indexOf(0x5c, s) >= e) return buf.toString("utf8", s, e);
  const out: number[] = [];
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    if (c !== 0x5c || i + 1 >= e) {
      out.push(c);
      continue;
    }
    const n = buf[++i]!;
    const ch = String.fromCharCode(n);
    if (ESCAPES[ch] !== undefined) out.push(ESCAPES[ch]);
    else if (isOctal(n)) {
      let v = n - 0x30;
      for (let k = 0; k < 2 && i + 1 < e && isOctal(buf[i + 1]!); k++) v = v * 8 + (buf[++i]! - 0x30);
      out.push(v & 0xff);
    } else if (ch === "x" && i + 1 < e && hexValue(buf[i + 1]!) >= 0) {
      let v = hexValue(buf[++i]!);
      if (i + 1 < e && hexValue(buf[i + 1]!) >= 0) v = v * 16 + hexValue(buf[++i]!);
      out.push(v);
    } else out.push(n);
  }
  return Buffer.from(out).toString("utf8");
}

function decodeLine(buf: Buffer, s: number, e: number): TRow {
  const row: (string | null)[] = [];
  let start = s;
  for (let i = s; i <= e; i++) {
    if (i === e || buf[i] === 0x09) {
      row.push(decodeField(buf, start, i));
      start = i + 1;
    }
  }
  return row;
}

/**
 * The rows of a COPY text stream, in batches of `batchRows`: the neutral path's view of the same bytes the
 * COPY fast path passes through. Chunks split rows anywhere, so lines are cut from the joined bytes.
 */
export async function* copyTextRows(stream: Readable, batchRows: number): AsyncGenerator<TRow[]> {
  let rest: Buffer = Buffer.alloc(0);
  let batch: TRow[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf: Buffer = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      batch.push(decodeLine(buf, start, nl));
      start = nl + 1;
      if (batch.length >= batchRows) {
        yield batch;
        batch = [];
      }
    }
    rest = buf.subarray(start);
  }
  if (rest.length > 0) batch.push(decodeLine(rest, 0, rest.length));
  if (batch.length > 0) yield batch;
}
