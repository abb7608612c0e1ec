/**
 * Binary values of the date and time types (date, timestamp, timestamptz, time, timetz, interval) → the
 * exact text PostgreSQL prints for them in the replication session (DateStyle ISO, TimeZone UTC,
 * IntervalStyle postgres). See binary-values.ts.
 */

const US_PER_DAY = 86_400_000_000n;
const DAYS_1970_TO_2000 = 10_957;

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

export function dateText(days2000: number): string {
  if (days2000 === 0x7fffffff) return "infinity";
  if (days2000 === -0x80000000) return "-infinity";
  const { text, bc } = isoDate(days2000 + DAYS_1970_TO_2000);
  return bc ? `${text} BC` : text;
}

export function timestampText(us2000: bigint, withZone: boolean): string {
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
export function timeOfDayText(us: number): string {
  const secs = Math.floor(us / 1_000_000);
  return `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}${fraction(us % 1_000_000)}`;
}

const fraction = (micros: number) => (micros > 0 ? `.${pad(micros, 6).replace(/0+$/, "")}` : "");

/** A UTC offset in seconds east → +HH, +HH:MM or +HH:MM:SS, as PostgreSQL prints it. */
export function zoneText(east: number): string {
  const a = Math.abs(east);
  const h = Math.floor(a / 3600);
  const m = Math.floor(a / 60) % 60;
  const sec = a % 60;
  return `${east < 0 ? "-" : "+"}${pad(h)}${m || sec ? `:${pad(m)}` : ""}${sec ? `:${pad(sec)}` : ""}`;
}

const INT32_MAX = 2_147_483_647;
const INT32_MIN = -2_147_483_648;
const INT64_MAX = 9_223_372_036_854_775_807n;
const INT64_MIN = -9_223_372_036_854_775_808n;

/**
 * interval_send (microseconds, days, months) → IntervalStyle postgres: "1 year 2 mons -3 days +04:05:06.5".
 * A part after a negative one carries its sign; the time is printed when it is not zero or nothing else is.
 */
export function intervalText(time: bigint, days: number, months: number): string {
  // PostgreSQL 17+ stores ±infinity as every field at its extreme (interval_send sends them as they are).
  if (time === INT64_MAX && days === INT32_MAX && months === INT32_MAX) return "infinity";
  if (time === INT64_MIN && days === INT32_MIN && months === INT32_MIN) return "-infinity";
  const parts: string[] = [];
  let before = false;
  const add = (value: number, unit: string) => {
    if (value === 0) return;
    parts.push(`${before && value > 0 ? "+" : ""}${value} ${unit}${value === 1 ? "" : "s"}`);
    before = value < 0;
  };
  add(Math.trunc(months / 12), "year");
  add(months % 12, "mon");
  add(days, "day");
  if (parts.length === 0 || time !== 0n) {
    const neg = time < 0n;
    const abs = neg ? -time : time;
    const hours = abs / 3_600_000_000n;
    const rest = Number(abs % 3_600_000_000n);
    const secs = Math.floor(rest / 1_000_000);
    parts.push(`${neg ? "-" : before ? "+" : ""}${hours.toString().padStart(2, "0")}:${pad(Math.floor(secs / 60))}:${pad(secs % 60)}${fraction(rest % 1_000_000)}`);
  }
  return parts.join(" ");
}
