import { and, eq, sql } from "drizzle-orm";
import { createHash, randomBytes } from "node:crypto";
import type { TDb } from "@/db/client";
import { sessions } from "@/db/schema";
import { loadSessionContext, type TSessionContext } from "./accounts";

/**
 * Server-side sessions. The (encrypted, signed) next-auth cookie carries a random session id; only its
 * sha256 is stored. A session ends when its row is gone: sign-out deletes it, and a session idle for
 * longer than the idle timeout is refused and deleted, so a copied cookie stops working as well.
 */
export const hashSessionId = (sid: string): string => createHash("sha256").update(sid).digest("hex");

/** Default idle timeout: a working day's pauses survive a meeting, a forgotten laptop does not. */
export const DEFAULT_IDLE_MINUTES = 30;

const idleInterval = (minutes: number) => sql`make_interval(mins => ${minutes}::int)`;

/** Starts a session for a user who just proved their password; returns the id for the cookie. */
export async function startSession(db: TDb, userId: string, idleMinutes = DEFAULT_IDLE_MINUTES): Promise<string> {
  const sid = randomBytes(32).toString("base64url");
  // Rows idle past the timeout can never be resumed: drop them so the table stays small.
  await db.delete(sessions).where(sql`${sessions.lastSeenAt} < now() - ${idleInterval(idleMinutes)}`);
  await db.insert(sessions).values({ idHash: hashSessionId(sid), userId });
  return sid;
}

/**
 * True when the session (by its id's hash) is live for this user; records the activity. Writes at most
 * once a minute per session: every page and poll reads the session, the idle clock needs no finer grain.
 */
export async function resumeSession(db: TDb, idHash: string, userId: string, idleMinutes = DEFAULT_IDLE_MINUTES): Promise<boolean> {
  const [row] = await db
    .select({
      live: sql<boolean>`${sessions.lastSeenAt} > now() - ${idleInterval(idleMinutes)}`,
      stale: sql<boolean>`${sessions.lastSeenAt} < now() - interval '1 minute'`,
    })
    .from(sessions)
    .where(and(eq(sessions.idHash, idHash), eq(sessions.userId, userId)));
  if (!row) return false;
  if (!row.live) {
    await db.delete(sessions).where(eq(sessions.idHash, idHash));
    return false;
  }
  if (row.stale) await db.update(sessions).set({ lastSeenAt: sql`now()` }).where(eq(sessions.idHash, idHash));
  return true;
}

/** Sign-out: the session's row goes, so the same cookie (or a copy of it) is refused from now on. */
export async function endSession(db: TDb, idHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, idHash));
}

/** Ends every session of a user (password change, removal from the team, sign out everywhere). */
export async function endUserSessions(db: TDb, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

export type TSessionClaims = { uid?: string; sv?: number; sh?: string };

/** User, team and role of a request's session claims, or null when the session has ended. */
export async function loadLiveSession(db: TDb, claims: TSessionClaims, idleMinutes = DEFAULT_IDLE_MINUTES): Promise<TSessionContext | null> {
  if (!claims.uid || claims.sv === undefined || !claims.sh) return null;
  if (!(await resumeSession(db, claims.sh, claims.uid, idleMinutes))) return null;
  // The session version still ends every session at once (password change, removal from the team).
  return loadSessionContext(db, claims.uid, claims.sv);
}
