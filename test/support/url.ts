/** A PostgreSQL URL's parts, as the product's connection forms hold them. */
export function connectionParts(url: string): { host: string; port: number; user: string; password: string; database: string } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: decodeURIComponent(u.pathname.slice(1)) };
}

/** Replaces the database name in a URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}
