import { binaryToText, readInt8 } from "../decode/binary-values";
import { TUPLE_BINARY, TUPLE_NULL, TUPLE_TEXT, TUPLE_UNCHANGED, type TRawTuple } from "../decode/raw-tuples";

// Module constants for scan()'s per-column loop (an imported binding is read through its module cell).
const T = TUPLE_TEXT;
const B = TUPLE_BINARY;
const N = TUPLE_NULL;
const U = TUPLE_UNCHANGED;
const BACKSLASH = 0x5c;
const INT2 = 21;
const INT4 = 23;
const INT8 = 20;
const NULL_KEY_PART = "\u0000";

/**
 * A buffered change's key in the buffer's map. A one-column key whose text is a small integer is that
 * number (no string to make and hash per change; the common serial key); any other key is its text.
 * Every path that makes an id for a key makes it from the key's text this way, so they agree.
 */
export type TKeyId = string | number;
const SMALL_INT_TEXT = /^(?:0|-?[1-9]\d{0,9})$/;
const fitsSmallInt = (n: number): boolean => n >= -0x40000000 && n < 0x40000000;

export function keyIdOf(text: string): TKeyId {
  if (SMALL_INT_TEXT.test(text)) {
    const n = Number(text);
    if (fitsSmallInt(n)) return n;
  }
  return text;
}

/** keyIdOf of an integer's text, without making the text when it fits. */
function smallIntId(n: number): TKeyId {
  return fitsSmallInt(n) ? n : String(n);
}

/**
 * Rows of a batch kept as the COPY text of their source columns (tab-separated, escaped, \N for NULL),
 * written straight from the message bytes: no string or array per value. From a binary stream, rows are
 * COPY BINARY fields instead (each value's length and its bytes, as the message has them). A row is a
 * byte range; a row superseded by a later change to its key stays as dead bytes until the batch is drained.
 */
export class RowArena {
  buf: Buffer;
  length = 0;
  /** Per column of the tuple being read: start of its text (or -1 for NULL) and its byte length. */
  private starts = new Int32Array(64);
  private lens = new Int32Array(64);
  private src: Buffer | null = null;
  private types: Int32Array | null = null;
  private binary = false;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /**
   * Locates the columns of a TupleData. False when a column was not sent (unchanged TOAST) or is not in
   * the format asked for (`binary`), or the tuple's width is not `width`: such a change takes the general path.
   */
  scan(raw: TRawTuple, width: number, binary: boolean): boolean {
    const buf = raw.buf;
    const n = buf.readInt16BE(raw.pos);
    if (n !== width) return false;
    if (n > this.starts.length) {
      this.starts = new Int32Array(n);
      this.lens = new Int32Array(n);
    }
    let p = raw.pos + 2;
    const valueKind = binary ? B : T;
    for (let i = 0; i < n; i++) {
      const kind = buf[p++];
      if (kind === valueKind) {
        const len = buf.readInt32BE(p);
        p += 4;
        this.starts[i] = p;
        this.lens[i] = len;
        p += len;
      } else if (kind === N) {
        this.starts[i] = -1;
        this.lens[i] = 0;
      } else if (kind === U && raw.keyOnly && !raw.rel.isKey[i]) {
        this.starts[i] = -1;
      } else return false;
    }
    this.src = buf;
    this.types = raw.rel.typeOids;
    this.binary = binary;
    return true;
  }

  /** The scanned tuple's key as the buffer's key id (see keyIdOf): key values joined by NUL, NULL as NUL. */
  keyId(keyPos: Int32Array): TKeyId {
    if (keyPos.length === 1) {
      const i = keyPos[0]!;
      const s = this.starts[i]!;
      // An integer key straight from its bytes: no text made for it (the same id keyIdOf gives its text).
      if (s >= 0 && this.binary) {
        const type = this.types![i]!;
        if (type === INT2) return this.src!.readInt16BE(s);
        if (type === INT4) return smallIntId(this.src!.readInt32BE(s));
        if (type === INT8) {
          const v = readInt8(this.src!, s);
          if (typeof v === "number") return smallIntId(v);
        }
      }
      return keyIdOf(this.keyPart(i));
    }
    let id = this.keyPart(keyPos[0]!);
    for (let j = 1; j < keyPos.length; j++) id += `\u0000${this.keyPart(keyPos[j]!)}`;
    return id;
  }

  /** A scanned column's value as key text (the general path's key ids are made of text values); NULL as NUL. */
  private keyPart(i: number): string {
    const s = this.starts[i]!;
    if (s < 0) return NULL_KEY_PART;
    const len = this.lens[i]!;
    return this.binary ? binaryToText(this.types![i]!, this.src!, s, len) : this.src!.toString("utf8", s, s + len);
  }

  /** Appends the scanned tuple's columns at `positions` as one COPY text row (no newline); returns its start. */
  write(positions: Int32Array): number {
    const src = this.src!;
    let need = positions.length * 3;
    for (let j = 0; j < positions.length; j++) need += this.lens[positions[j]!]! * 2;
    this.reserve(need);
    const out = this.buf;
    const start = this.length;
    let o = start;
    for (let j = 0; j < positions.length; j++) {
      if (j > 0) out[o++] = 0x09;
      const i = positions[j]!;
      const s = this.starts[i]!;
      if (s < 0) {
        out[o++] = BACKSLASH;
        out[o++] = 0x4e; // \N
        continue;
      }
      const e = s + this.lens[i]!;
      for (let k = s; k < e; k++) {
        const b = src[k]!;
        // COPY text escapes backslash, newline, carriage return and tab; UTF-8 continuation bytes are ≥ 0x80.
        if (b >= 0x20 && b !== BACKSLASH) out[o++] = b;
        else if (b === BACKSLASH) {
          out[o++] = BACKSLASH;
          out[o++] = BACKSLASH;
        } else if (b === 0x0a) {
          out[o++] = BACKSLASH;
          out[o++] = 0x6e;
        } else if (b === 0x0d) {
          out[o++] = BACKSLASH;
          out[o++] = 0x72;
        } else if (b === 0x09) {
          out[o++] = BACKSLASH;
          out[o++] = 0x74;
        } else out[o++] = b;
      }
    }
    this.length = o;
    return start;
  }

  /**
   * Appends the scanned tuple's columns at `positions` as one COPY BINARY row: `fields` (the row's field
   * count), each column's length and bytes (as the message has them), then `tail` (more fields, made by
   * the caller). Returns its start.
   */
  writeBinary(positions: Int32Array, fields: number, tail: Buffer): number {
    const src = this.src!;
    let need = 2 + positions.length * 4 + tail.length;
    for (let j = 0; j < positions.length; j++) need += this.lens[positions[j]!]!;
    this.reserve(need);
    const out = this.buf;
    const start = this.length;
    out[start] = fields >> 8;
    out[start + 1] = fields & 0xff;
    let o = start + 2;
    for (let j = 0; j < positions.length; j++) {
      const i = positions[j]!;
      const s = this.starts[i]!;
      if (s < 0) {
        out[o++] = 0xff; // length -1: NULL
        out[o++] = 0xff;
        out[o++] = 0xff;
        out[o++] = 0xff;
        continue;
      }
      // The message has the value's 4-byte length right before it: both are copied as they are.
      const e = s + this.lens[i]!;
      if (e - s < 60) for (let k = s - 4; k < e; k++) out[o++] = src[k]!;
      else o += src.copy(out, o, s - 4, e);
    }
    for (let k = 0; k < tail.length; k++) out[o++] = tail[k]!;
    this.length = o;
    return start;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + bytes));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
}

/** A COPY text row (as RowArena writes it) back into its values: for the rare change that must merge with it. */
export function readArenaRow(buf: Buffer, start: number, end: number): (string | null)[] {
  const out: (string | null)[] = [];
  // Tabs and backslashes inside values are escaped: every raw tab separates two fields.
  for (let s = start; s <= end; ) {
    let e = buf.indexOf(0x09, s);
    if (e < 0 || e > end) e = end;
    out.push(readArenaField(buf, s, e));
    s = e + 1;
  }
  return out;
}

/** A binary arena row (as writeBinary writes it) back into its first `typeOids.length` values, read as text by each one's type. */
export function readArenaBinaryRow(buf: Buffer, start: number, typeOids: Int32Array): (string | null)[] {
  const out: (string | null)[] = [];
  for (let p = start + 2, j = 0; j < typeOids.length; j++) {
    const len = buf.readInt32BE(p);
    p += 4;
    if (len < 0) out.push(null);
    else {
      out.push(binaryToText(typeOids[j]!, buf, p, len));
      p += len;
    }
  }
  return out;
}

function readArenaField(buf: Buffer, s: number, e: number): string | null {
  const slash = buf.indexOf(BACKSLASH, s);
  if (slash < 0 || slash >= e) return buf.toString("utf8", s, e);
  if (e - s === 2 && buf[s + 1] === 0x4e) return null; // \N
  const bytes = Buffer.allocUnsafe(e - s);
  let o = 0;
  for (let k = s; k < e; k++) {
    let b = buf[k]!;
    if (b === BACKSLASH) {
      const next = buf[++k]!;
      b = next === 0x6e ? 0x0a : next === 0x72 ? 0x0d : next === 0x74 ? 0x09 : next;
    }
    bytes[o++] = b;
  }
  return bytes.toString("utf8", 0, o);
}
