/** Encodes one row in COPY text format: tab-separated, \N for NULL, backslash escapes; ends with a newline. */
export function encodeCopyRow(values: (string | null)[]): string {
  return (
    values
      .map((v) =>
        v === null
          ? "\\N"
          : v.replace(/[\\\n\r\t]/g, (ch) => (ch === "\\" ? "\\\\" : ch === "\n" ? "\\n" : ch === "\r" ? "\\r" : "\\t")),
      )
      .join("\t") + "\n"
  );
}
