import { binaryToText } from "./binary-values";
import type { TValue } from "./events";

/** What reading a relation's tuples needs: which columns form the key, and each column's type. */
export type TRawRelation = { isKey: readonly boolean[]; typeOids: Int32Array };

/**
 * A pgoutput TupleData (protocol 1) left in its message: the buffer reads it only when it stores the
 * change. `keyOnly`: an old key tuple (a delete's), whose non-key columns are not part of it.
 */
export type TRawTuple = { buf: Buffer; pos: number; keyOnly: boolean; rel: TRawRelation };

/** TupleData column kinds. */
export const TUPLE_TEXT = 0x74; // 't': text value
export const TUPLE_BINARY = 0x62; // 'b': binary value (a binary stream)
export const TUPLE_NULL = 0x6e; // 'n': NULL
export const TUPLE_UNCHANGED = 0x75; // 'u': unchanged TOAST value, not sent

/**
 * TupleData → values aligned with the relation's columns ('u' → undefined); `end` is the byte after it.
 * A binary value is read back as the text the server prints for it.
 */
export function readTuple(buf: Buffer, pos: number, rel: TRawRelation, keyOnly: boolean): { values: TValue[]; end: number } {
  const n = buf.readInt16BE(pos);
  let p = pos + 2;
  const out = new Array<TValue>(n);
  const keyOnlyOf = keyOnly ? rel.isKey : null;
  for (let i = 0; i < n; i++) {
    const kind = buf[p++];
    if (kind === TUPLE_TEXT || kind === TUPLE_BINARY) {
      const len = buf.readInt32BE(p);
      p += 4;
      // An old key tuple sends the non-key columns as NULL: they are not part of the identity.
      if (keyOnlyOf && !keyOnlyOf[i]) out[i] = undefined;
      else out[i] = kind === TUPLE_TEXT ? buf.toString("utf8", p, p + len) : binaryToText(rel.typeOids[i]!, buf, p, len);
      p += len;
    } else if (kind === TUPLE_NULL) out[i] = keyOnlyOf && !keyOnlyOf[i] ? undefined : null;
    else if (kind === TUPLE_UNCHANGED) out[i] = undefined;
    else throw new Error(`pgoutput: unexpected column kind ${kind}`);
  }
  return { values: out, end: p };
}

/** A raw tuple's values (aligned with the relation's columns). */
export function rawValues(raw: TRawTuple): TValue[] {
  return readTuple(raw.buf, raw.pos, raw.rel, raw.keyOnly).values;
}

/**
 * The bytes from a raw tuple to the end of its message (`end`, else the buffer's end), copied: the
 * message's buffer is reused once its handler returns.
 */
export function detachRaw(raw: TRawTuple, end = raw.buf.length): TRawTuple {
  return { ...raw, buf: Buffer.from(raw.buf.subarray(raw.pos, end)), pos: 0 };
}
