/** Quotes an identifier for SQL: source names are hostile (quotes, spaces, dots, unicode, reserved words). */
export function quoteIdent(name: string): string {
  if (name.includes("\u0000")) throw new Error("Identifiers cannot contain NUL characters");
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal for SQL shown to users (fix commands); queries bind values instead. */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Quotes a string constant for SQL the product runs where it cannot bind values (several statements in
 * one query): E'' reads the same whatever the server's standard_conforming_strings.
 */
export function quoteEscapedLiteral(value: string): string {
  return `E'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** "Stitch PostgreSQL" → "stitch_postgresql": the integration's destination schema. */
export function schemaNameFromIntegrationName(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "_")
    .replace(/^_+|_+$/g, "");
  const safe = /^[0-9]/.test(base) ? `_${base}` : base;
  // PostgreSQL truncates identifiers at 63 bytes; ASCII-only here, so characters = bytes.
  return safe.slice(0, 63);
}
