/** The key a table is looked up by in the stream: schema and name, which cannot contain NUL. */
export function streamKey(schema: string, name: string): string {
  return `${schema}\u0000${name}`;
}
