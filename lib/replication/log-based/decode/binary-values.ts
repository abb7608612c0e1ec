/**
 * PostgreSQL's binary format (the types' send functions) for the built-in types a binary pgoutput stream
 * may carry: read back into the exact text PostgreSQL prints for the value (in the replication session's
 * settings: DateStyle ISO, TimeZone UTC, shortest exact floats, bytea hex), so a change decoded from a
 * binary stream is the same string a text stream would have given. Rows go to the destination as the
 * binary bytes themselves (COPY BINARY); only the rare change that must be merged value by value is read
 * back, with these functions.
 */

import { bitText, inetText, macaddrText, RANGE_TYPES, rangeText } from "./binary-address-bit-range-text";
import { floatText, numericText } from "./binary-number-text";
import { dateText, intervalText, timeOfDayText, timestampText, zoneText } from "./binary-time-text";

/** Array type OID → its element type OID, for the arrays of the scalar types below. */
const ARRAY_ELEMENTS: ReadonlyMap<number, number> = new Map([
  [1000, 16],
  [1001, 17],
  [1016, 20],
  [1005, 21],
  [1007, 23],
  [1009, 25],
  [199, 114],
  [1021, 700],
  [1022, 701],
  [1014, 1042],
  [1015, 1043],
  [1182, 1082],
  [1115, 1114],
  [1185, 1184],
  [1231, 1700],
  [2951, 2950],
  [3807, 3802],
  [1003, 19],
  [1028, 26],
  [1040, 829],
  [1183, 1083],
  [1270, 1266],
  [1187, 1186],
  [1041, 869],
  [651, 650],
  [775, 774],
  [1561, 1560],
  [1563, 1562],
  [3905, 3904],
  [3927, 3926],
  [3907, 3906],
  [3909, 3908],
  [3911, 3910],
  [3913, 3912],
]);

/** Built-in scalar types whose binary values are read here, by OID, with the name format_type gives them. */
const SCALAR_TYPES: ReadonlyMap<number, string> = new Map([
  [16, "boolean"],
  [17, "bytea"],
  [20, "bigint"],
  [21, "smallint"],
  [23, "integer"],
  [25, "text"],
  [114, "json"],
  [700, "real"],
  [701, "double precision"],
  [1042, "character"],
  [1043, "character varying"],
  [1082, "date"],
  [1114, "timestamp without time zone"],
  [1184, "timestamp with time zone"],
  [1700, "numeric"],
  [2950, "uuid"],
  [3802, "jsonb"],
  [19, "name"],
  [26, "oid"],
  [829, "macaddr"],
  [1083, "time without time zone"],
  [1266, "time with time zone"],
  [1186, "interval"],
  [869, "inet"],
  [650, "cidr"],
  [774, "macaddr8"],
  [1560, "bit"],
  [1562, "bit varying"],
  ...[...RANGE_TYPES].map(([oid, r]): [number, string] => [oid, r.name]),
]);

/** Type OIDs (fixed for built-in types) whose binary values are read here: the scalars and their arrays. */
export const BINARY_READABLE_TYPES: ReadonlyMap<number, string> = new Map([...SCALAR_TYPES, ...[...ARRAY_ELEMENTS].map(([array, element]): [number, string] => [array, `${SCALAR_TYPES.get(element)!}[]`])]);

/**
 * The type whose binary form a column's values arrive in and its destination column reads: a readable
 * built-in type itself; a domain over one, that type (its send function); an enum, text (a label's bytes;
 * enums land as text). Null: not readable (the stream then sends text).
 */
export function binaryReadAs(col: { typeOid: number; typeKind: string; baseTypeOid: number }): number | null {
  if (BINARY_READABLE_TYPES.has(col.typeOid)) return col.typeOid;
  if (col.typeKind === "d" && BINARY_READABLE_TYPES.has(col.baseTypeOid)) return col.baseTypeOid;
  if (col.typeKind === "e") return 25;
  return null;
}

export class UnreadableBinaryValueError extends Error {
  constructor(readonly typeOid: number) {
    super(`A binary value of type oid ${typeOid} cannot be read back as text`);
  }
}

/** The binary value at buf[s, s + len) of a type in BINARY_READABLE_TYPES → PostgreSQL's text output of it. */
export function binaryToText(typeOid: number, buf: Buffer, s: number, len: number): string {
  switch (typeOid) {
    case 16:
      return buf[s] ? "t" : "f";
    case 17:
      return `\\x${buf.toString("hex", s, s + len)}`;
    case 20:
      return readInt8Text(buf, s);
    case 21:
      return String(buf.readInt16BE(s));
    case 23:
      return String(buf.readInt32BE(s));
    case 19:
    case 25:
    case 114:
    case 1042:
    case 1043:
      return buf.toString("utf8", s, s + len);
    case 3802:
      if (buf[s] !== 1) throw new Error(`jsonb binary format version ${buf[s]} is not known`);
      return buf.toString("utf8", s + 1, s + len);
    case 700:
      return floatText(buf.readFloatBE(s), true);
    case 701:
      return floatText(buf.readDoubleBE(s), false);
    case 1082:
      return dateText(buf.readInt32BE(s));
    case 1114:
    case 1184:
      return timestampText(buf.readBigInt64BE(s), typeOid === 1184);
    case 1700:
      return numericText(buf, s);
    case 26:
      return String(buf.readUInt32BE(s));
    case 829:
      return macaddrText(buf, s, 6);
    case 774:
      return macaddrText(buf, s, 8);
    case 869:
    case 650:
      return inetText(buf, s);
    case 1560:
    case 1562:
      return bitText(buf, s);
    case 1083:
      return timeOfDayText(Number(buf.readBigInt64BE(s)));
    case 1266:
      return timeOfDayText(Number(buf.readBigInt64BE(s))) + zoneText(-buf.readInt32BE(s + 8));
    case 1186:
      return intervalText(buf.readBigInt64BE(s), buf.readInt32BE(s + 8), buf.readInt32BE(s + 12));
    case 2950: {
      const h = buf.toString("hex", s, s + 16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    default: {
      if (ARRAY_ELEMENTS.has(typeOid)) return arrayText(buf, s);
      const range = RANGE_TYPES.get(typeOid);
      if (range) return rangeText(buf, s, range.element, binaryToText);
      throw new UnreadableBinaryValueError(typeOid);
    }
  }
}

/**
 * array_send (dimensions, flags, element type, each dimension's size and lower bound, then each element's
 * length and bytes) → array_out's text: nested braces, NULL, elements quoted where array input needs it,
 * and the bounds when one is not 1.
 */
function arrayText(buf: Buffer, s: number): string {
  const ndim = buf.readInt32BE(s);
  const elementOid = buf.readUInt32BE(s + 8);
  if (ndim === 0) return "{}";
  const sizes: number[] = [];
  const lowers: number[] = [];
  let p = s + 12;
  for (let i = 0; i < ndim; i++) {
    sizes.push(buf.readInt32BE(p));
    lowers.push(buf.readInt32BE(p + 4));
    p += 8;
  }
  const bounds = lowers.some((l) => l !== 1) ? `${sizes.map((n, i) => `[${lowers[i]!}:${lowers[i]! + n - 1}]`).join("")}=` : "";
  const level = (dim: number): string => {
    const parts: string[] = [];
    for (let k = 0; k < sizes[dim]!; k++) {
      if (dim < ndim - 1) {
        parts.push(level(dim + 1));
        continue;
      }
      const len = buf.readInt32BE(p);
      p += 4;
      if (len < 0) parts.push("NULL");
      else {
        parts.push(quoteArrayElement(binaryToText(elementOid, buf, p, len)));
        p += len;
      }
    }
    return `{${parts.join(",")}}`;
  };
  return bounds + level(0);
}

/** An element as array_out writes it: in double quotes (with " and \ escaped) when array input would misread it bare. */
function quoteArrayElement(v: string): string {
  if (v !== "" && !/^null$/i.test(v) && !/[{}",\\ \t\n\r\v\f]/.test(v)) return v;
  return `"${v.replace(/["\\]/g, "\\$&")}"`;
}

/** An int8's binary value: a number when it fits in 32 bits (most keys: no BigInt made), else a bigint. */
export function readInt8(buf: Buffer, s: number): number | bigint {
  const hi = buf.readInt32BE(s);
  const lo = buf.readUInt32BE(s + 4);
  if (hi === 0) return lo;
  if (hi === -1 && lo >= 0x80000000) return lo - 0x100000000;
  return buf.readBigInt64BE(s);
}

const readInt8Text = (buf: Buffer, s: number): string => String(readInt8(buf, s));
