/**
 * Binary values (the types' send functions) of less common built-in types → the exact text PostgreSQL
 * prints for them: network addresses, bit strings and ranges. See binary-values.ts for the
 * common ones.
 */

const AF_INET = 2; // PGSQL_AF_INET

/**
 * inet_send / cidr_send (family, bits, is_cidr, address length, address) → network_out: IPv4 as four
 * octets, IPv6 with the longest run (two or more) of zero groups as "::" and an embedded IPv4 address
 * where PostgreSQL writes one; "/bits" unless the mask is full, and always for cidr.
 */
export function inetText(buf: Buffer, s: number): string {
  const family = buf[s]!;
  const bits = buf[s + 1]!;
  const isCidr = buf[s + 2] === 1;
  const a = s + 4;
  const full = family === AF_INET ? 32 : 128;
  const address = family === AF_INET ? ipv4(buf, a) : ipv6(buf, a);
  return bits !== full || isCidr ? `${address}/${bits}` : address;
}

const ipv4 = (buf: Buffer, a: number): string => `${buf[a]}.${buf[a + 1]}.${buf[a + 2]}.${buf[a + 3]}`;

/** PostgreSQL's inet_net_ntop_ipv6 (from BIND), which differs from RFC 5952 in where it writes IPv4. */
function ipv6(buf: Buffer, a: number): string {
  const words = Array.from({ length: 8 }, (_, i) => buf.readUInt16BE(a + 2 * i));
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      cur = cur.base === -1 ? { base: i, len: 1 } : { base: cur.base, len: cur.len + 1 };
    } else if (cur.base !== -1) {
      if (best.base === -1 || cur.len > best.len) best = cur;
      cur = { base: -1, len: 0 };
    }
  }
  if (cur.base !== -1 && (best.base === -1 || cur.len > best.len)) best = cur;
  if (best.base !== -1 && best.len < 2) best = { base: -1, len: 0 };
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    // ::a.b.c.d (IPv4-compatible, but not ::1) and ::ffff:a.b.c.d (IPv4-mapped).
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 7 && words[7] !== 1) || (best.len === 5 && words[5] === 0xffff))) {
      return out + ipv4(buf, a + 12);
    }
    out += words[i]!.toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ":";
  return out;
}

/** macaddr (six bytes) and macaddr8 (eight): lower-case hex pairs joined by colons. */
export function macaddrText(buf: Buffer, s: number, bytes: number): string {
  return Array.from({ length: bytes }, (_, i) => buf.toString("hex", s + i, s + i + 1)).join(":");
}

/** bit_send / varbit_send (bit length, then the bits, first bit in the high bit of the first byte) → '0'/'1' text. */
export function bitText(buf: Buffer, s: number): string {
  const n = buf.readInt32BE(s);
  let out = "";
  for (let i = 0; i < n; i++) out += (buf[s + 4 + (i >> 3)]! >> (7 - (i & 7))) & 1 ? "1" : "0";
  return out;
}

/** Built-in range types by OID: the name format_type gives them and their element type's OID. */
export const RANGE_TYPES: ReadonlyMap<number, { name: string; element: number }> = new Map([
  [3904, { name: "int4range", element: 23 }],
  [3926, { name: "int8range", element: 20 }],
  [3906, { name: "numrange", element: 1700 }],
  [3908, { name: "tsrange", element: 1114 }],
  [3910, { name: "tstzrange", element: 1184 }],
  [3912, { name: "daterange", element: 1082 }],
]);

const RANGE_EMPTY = 0x01;
const RANGE_LB_INC = 0x02;
const RANGE_UB_INC = 0x04;
const RANGE_LB_INF = 0x08;
const RANGE_UB_INF = 0x10;

/**
 * range_send (flags, then each finite bound's length and binary value) → range_out: "empty", or brackets
 * around the bounds, each in double quotes when it holds a space or one of ",()[]\"\\" (quotes and
 * backslashes doubled), an infinite bound left empty.
 */
export function rangeText(buf: Buffer, s: number, elementOid: number, elementText: (oid: number, buf: Buffer, s: number, len: number) => string): string {
  const flags = buf[s]!;
  if (flags & RANGE_EMPTY) return "empty";
  let p = s + 1;
  const bound = (infinite: boolean): string => {
    if (infinite) return "";
    const len = buf.readInt32BE(p);
    const text = elementText(elementOid, buf, p + 4, len);
    p += 4 + len;
    return text === "" || /[\s",()[\]\\]/.test(text) ? `"${text.replace(/["\\]/g, "$&$&")}"` : text;
  };
  const lower = bound((flags & RANGE_LB_INF) !== 0);
  const upper = bound((flags & RANGE_UB_INF) !== 0);
  return `${flags & RANGE_LB_INC ? "[" : "("}${lower},${upper}${flags & RANGE_UB_INC ? "]" : ")"}`;
}
