/**
 * PostgreSQL's binary format (the types' send functions) for the built-in types a binary pgoutput stream
 * may carry: read back into the exact text PostgreSQL prints for the value (in the replication session's
 * settings: DateStyle ISO, TimeZone UTC, shortest exact floats, bytea hex), so a change decoded from a
 * binary stream is the same string a text stream would have given. Rows go to the destination as the
 * binary bytes themselves (COPY BINARY); only the rare change that must be merged value by value is read
 * back, with these functions.
 */

import { bitText, inetText, intervalText, macaddrText, RANGE_TYPES, rangeText } from "./binary-address-bit-range-text";

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

const US_PER_DAY = 86_400_000_000n;
const DAYS_1970_TO_2000 = 10_957;

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

/**
 * Shortest exact output (PostgreSQL 12+ with extra_float_digits > 0): the fewest digits that read back
 * as the same value, fixed notation for decimal exponents from -4 up to 14 (real: 5), else d.ddde±XX.
 */
function floatText(v: number, single: boolean): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  let sci = v.toExponential(); // double: JavaScript's shortest round-trip digits
  if (single) {
    for (let p = 1; p <= 9; p++) {
      sci = v.toExponential(p - 1);
      if (Math.fround(Number(sci)) === v) break;
    }
  }
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(sci)!;
  const sign = m[1]!;
  const digits = (m[2]! + (m[3] ?? "")).replace(/0+$/, "") || "0";
  const exp = Number(m[4]);
  if (exp < -4 || exp >= (single ? 6 : 15)) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Days since 1970-01-01 → proleptic Gregorian year (astronomical: 0 is 1 BC), month, day. */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** ISO date text; a year before 1 AD is printed as PostgreSQL does, with " BC" (returned apart). */
function isoDate(days1970: number): { text: string; bc: boolean } {
  const [y, m, d] = civilFromDays(days1970);
  const bc = y <= 0;
  return { text: `${pad(bc ? 1 - y : y, 4)}-${pad(m)}-${pad(d)}`, bc };
}

function dateText(days2000: number): string {
  if (days2000 === 0x7fffffff) return "infinity";
  if (days2000 === -0x80000000) return "-infinity";
  const { text, bc } = isoDate(days2000 + DAYS_1970_TO_2000);
  return bc ? `${text} BC` : text;
}

function timestampText(us2000: bigint, withZone: boolean): string {
  if (us2000 === 0x7fffffffffffffffn) return "infinity";
  if (us2000 === -0x8000000000000000n) return "-infinity";
  let days = us2000 / US_PER_DAY;
  let rest = us2000 % US_PER_DAY;
  if (rest < 0n) {
    rest += US_PER_DAY;
    days -= 1n;
  }
  const { text, bc } = isoDate(Number(days) + DAYS_1970_TO_2000);
  const out = `${text} ${timeOfDayText(Number(rest))}${withZone ? "+00" : ""}`;
  return bc ? `${out} BC` : out;
}

/** Microseconds since midnight (up to 24:00:00) → HH:MM:SS with the fraction's trailing zeros dropped. */
function timeOfDayText(us: number): string {
  const secs = Math.floor(us / 1_000_000);
  return `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}${fraction(us % 1_000_000)}`;
}

const fraction = (micros: number) => (micros > 0 ? `.${pad(micros, 6).replace(/0+$/, "")}` : "");

/** A UTC offset in seconds east → +HH, +HH:MM or +HH:MM:SS, as PostgreSQL prints it. */
function zoneText(east: number): string {
  const a = Math.abs(east);
  const h = Math.floor(a / 3600);
  const m = Math.floor(a / 60) % 60;
  const sec = a % 60;
  return `${east < 0 ? "-" : "+"}${pad(h)}${m || sec ? `:${pad(m)}` : ""}${sec ? `:${pad(sec)}` : ""}`;
}

/** numeric_send: ndigits, weight, sign, dscale, then base-10000 digits. */
function numericText(buf: Buffer, s: number): string {
  const ndigits = buf.readInt16BE(s);
  const weight = buf.readInt16BE(s + 2);
  const sign = buf.readUInt16BE(s + 4);
  const dscale = buf.readInt16BE(s + 6);
  if (sign === 0xc000) return "NaN";
  if (sign === 0xd000) return "Infinity";
  if (sign === 0xf000) return "-Infinity";
  const digit = (i: number) => (i >= 0 && i < ndigits ? buf.readInt16BE(s + 8 + 2 * i) : 0);
  let out = sign === 0x4000 ? "-" : "";
  if (weight < 0) out += "0";
  else for (let i = 0; i <= weight; i++) out += i === 0 ? String(digit(0)) : pad(digit(i), 4);
  if (dscale > 0) {
    let frac = "";
    for (let i = weight + 1; frac.length < dscale; i++) frac += pad(digit(i), 4);
    out += `.${frac.slice(0, dscale)}`;
  }
  return out;
}
