/** PostgreSQL WAL positions ("16/B374D848") as bigints, so they compare and subtract exactly. */
export type TLsn = bigint;

const LSN_RE = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

export function parseLsn(text: string): TLsn {
  const m = LSN_RE.exec(text.trim());
  if (!m) throw new Error(`Not a WAL position: ${JSON.stringify(text)}`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: TLsn): string {
  if (lsn < 0n) throw new Error("Negative WAL position");
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

export function maxLsn(a: TLsn, b: TLsn): TLsn {
  return a > b ? a : b;
}

export function minLsn(a: TLsn, b: TLsn): TLsn {
  return a < b ? a : b;
}
