/**
 * Binary values of the floating-point and numeric types → the exact text PostgreSQL prints for them
 * (extra_float_digits 3: shortest exact floats). See binary-values.ts.
 */

/**
 * Shortest exact output (PostgreSQL 12+ with extra_float_digits > 0): the fewest digits that read back
 * as the same value, fixed notation for decimal exponents from -4 up to 14 (real: 5), else d.ddde±XX.
 */
export function floatText(v: number, single: boolean): string {
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

/** numeric_send: ndigits, weight, sign, dscale, then base-10000 digits. */
export function numericText(buf: Buffer, s: number): string {
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
  else for (let i = 0; i <= weight; i++) out += i === 0 ? String(digit(0)) : String(digit(i)).padStart(4, "0");
  if (dscale > 0) {
    let frac = "";
    for (let i = weight + 1; frac.length < dscale; i++) frac += String(digit(i)).padStart(4, "0");
    out += `.${frac.slice(0, dscale)}`;
  }
  return out;
}
