/** COPY BINARY's signature, flags and header extension length (PostgreSQL's "Binary Format" of COPY). */
export const BINARY_COPY_HEADER = Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)]);

/** Microseconds from 1970-01-01 to 2000-01-01 (PostgreSQL's epoch). */
const PG_EPOCH_OFFSET_US = 946_684_800_000_000n;

/** An ISO 8601 UTC timestamp (…Z, up to microseconds) → microseconds since 2000-01-01, timestamptz's binary value. */
export function isoToPgMicros(iso: string): bigint {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`Not a timestamp: ${iso}`);
  const frac = /\.(\d+)Z$/.exec(iso)?.[1] ?? "";
  const micros = Number(frac.slice(0, 6).padEnd(6, "0"));
  return BigInt(Math.floor(ms / 1000)) * 1_000_000n + BigInt(micros) - PG_EPOCH_OFFSET_US;
}
