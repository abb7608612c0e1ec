/** PostgreSQL truncates identifiers at 63 bytes; we truncate ourselves (on a character boundary) so names are predictable. */
export function truncateIdentifier(name: string, maxBytes = 63): string {
  if (Buffer.byteLength(name, "utf8") <= maxBytes) return name;
  let out = "";
  for (const ch of name) {
    if (Buffer.byteLength(out + ch, "utf8") > maxBytes) break;
    out += ch;
  }
  return out;
}

/** The destination table of a source table: its name, or `<schema>__<table>` with the include-schema option. */
export function destinationTableName(source: { schema: string; name: string }, includeSchemaNames: boolean): string {
  return truncateIdentifier(includeSchemaNames ? `${source.schema}__${source.name}` : source.name);
}

/** Source tables (by key) whose destination names clash; every member of a clash is listed with the others. */
export function findNameCollisions(tables: { tableKey: string; destinationTable: string }[]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const t of tables) byName.set(t.destinationTable, [...(byName.get(t.destinationTable) ?? []), t.tableKey]);
  const out = new Map<string, string[]>();
  for (const keys of byName.values()) {
    if (keys.length < 2) continue;
    for (const k of keys) out.set(k, keys.filter((o) => o !== k));
  }
  return out;
}
