/**
 * What every server action returns: errors are values the form shows next to its fields. Its own file
 * so client components can import the type without the server-only wrapper.
 */
export type TActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: string; fieldErrors: Record<string, string> };
