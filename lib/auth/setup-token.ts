import { eq } from "drizzle-orm";
import { createHash, randomBytes } from "node:crypto";
import type { TDb } from "@/db/client";
import { setupTokens, teams } from "@/db/schema";

/**
 * The one-time setup link of a fresh install: whoever reaches the dashboard first must not become its
 * Owner, only whoever can read what `npm start` printed. Only the token's sha256 is stored; the first
 * sign-up consumes it.
 */
const hashSetupToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export const SETUP_LINK_NEEDED = "The first account needs the setup link that `npm start` printed in its terminal (…/sign-up?setup=…).";
export const SETUP_LINK_INVALID = "This setup link is not valid (each start prints a new one, and it works once). Use the latest link that `npm start` printed.";

/**
 * On start: a fresh install gets a new token (replacing any earlier one, whose link is no longer
 * printed anywhere); an install that has a team gets none. Returns the token to print, or null.
 */
export async function issueSetupToken(db: TDb): Promise<string | null> {
  const [team] = await db.select({ id: teams.id }).from(teams).limit(1);
  if (team) {
    await db.delete(setupTokens);
    return null;
  }
  const token = randomBytes(24).toString("base64url");
  await db
    .insert(setupTokens)
    .values({ tokenHash: hashSetupToken(token) })
    .onConflictDoUpdate({ target: setupTokens.id, set: { tokenHash: hashSetupToken(token), createdAt: new Date() } });
  return token;
}

/** Whether a token is the current setup token (the sign-up page's check, before anyone types). */
export async function isSetupTokenValid(db: TDb, token: string | undefined): Promise<boolean> {
  if (!token) return false;
  const rows = await db.select({ id: setupTokens.id }).from(setupTokens).where(eq(setupTokens.tokenHash, hashSetupToken(token)));
  return rows.length > 0;
}

/** Uses the token up inside the first sign-up's transaction; false when it is not the current one. */
export async function consumeSetupToken(tx: Pick<TDb, "delete">, token: string | undefined): Promise<boolean> {
  if (!token) return false;
  const gone = await tx.delete(setupTokens).where(eq(setupTokens.tokenHash, hashSetupToken(token))).returning({ id: setupTokens.id });
  return gone.length > 0;
}
