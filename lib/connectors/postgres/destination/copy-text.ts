const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const escapeChar = (ch: string): string => (ch === "\\" ? "\\\\" : ch === "\n" ? "\\n" : ch === "\r" ? "\\r" : "\\t");

/** Encodes one value in COPY text format: \N for NULL, backslash escapes for backslash, newline, CR and tab. */
export function encodeCopyValue(v: string | null): string {
  if (v === null) return "\\N";
  return SPECIAL.test(v) ? v.replace(SPECIAL_ALL, escapeChar) : v;
}

/** Encodes one row in COPY text format: tab-separated, \N for NULL, backslash escapes; ends with a newline. */
export function encodeCopyRow(values: readonly (string | null)[]): string {
  return values.map(encodeCopyValue).join("\t") + "\n";
}
