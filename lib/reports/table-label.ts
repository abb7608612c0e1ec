/** `"db"."schema"."table"` → `schema.table` as the selection list shows it (names unquoted). */
export function tableLabel(tableKey: string): string {
  const parts: string[] = [];
  const re = /"((?:[^"]|"")*)"/g;
  for (let m = re.exec(tableKey); m; m = re.exec(tableKey)) parts.push(m[1]!.replace(/""/g, '"'));
  if (parts.length === 3) return `${parts[1]}.${parts[2]}`;
  return tableKey;
}
