import type { TRole } from "@/db/schema";
import { hasRole } from "@/lib/auth/roles";

/**
 * Bookmark values are source data (a Key-based bookmark is the last key read: an e-mail, a name, a
 * timestamp). Job logs are read by every role, Viewers included, so they carry a bookmark's shape only;
 * the values are shown where the role may see data (Loading Reports, to Members and above).
 */
export const BOOKMARK_HIDDEN = "(hidden from Viewers)";

/** Who may see bookmark values: those who may change what is replicated. */
export const canSeeBookmarkValues = (role: TRole): boolean => hasRole(role, "member");

/** "$1, $2" for a bookmark of two values: the statement's shape, as the logged SQL shows it. */
function valuesShape(n: number): string {
  return Array.from({ length: n }, (_, i) => `$${i + 1}`).join(", ");
}

/** A replication state for the `State update` log line: a Key-based bookmark's values become `$n`. */
export function stateForLog(state: Record<string, unknown>): Record<string, unknown> {
  if (state.method !== "key_based" || !Array.isArray(state.bookmark)) return state;
  return { ...state, bookmark: valuesShape(state.bookmark.length).split(", ") };
}

/** The end-of-table log line's bookmark: Key-based values by shape (one per key column); an LSN is no data. */
export function bookmarkForLog(method: string, maxBookmark: string | null, replicationKey: readonly string[]): string | null {
  if (maxBookmark === null || method !== "key_based") return maxBookmark;
  return `(${replicationKey.join(", ")}) = (${valuesShape(replicationKey.length)})`;
}

/** Report rows as the role may see them: bookmark values only for Members and above. */
export function bookmarksForRole<T extends { maxBookmark: string | null }>(rows: T[], role: TRole): T[] {
  if (canSeeBookmarkValues(role)) return rows;
  return rows.map((r) => (r.maxBookmark === null ? r : { ...r, maxBookmark: BOOKMARK_HIDDEN }));
}
