import { eq, sql } from "drizzle-orm";
import type { TDb } from "@/db/client";
import { users } from "@/db/schema";
import { authenticate, SIGN_IN_REFUSED } from "@/lib/auth/accounts";
import { hashPassword } from "@/lib/auth/password";
import { recordAudit, type TAuditActor } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";

type TSelf = TAuditActor & { userId: string; email: string };

/**
 * Changes the signed-in user's password after re-authenticating with the current one (through the
 * same throttled check as sign-in). Every session ends, this one included; the caller signs in
 * again with the new password.
 */
export async function changePassword(db: TDb, self: TSelf, input: { currentPassword: string; newPassword: string }): Promise<{ email: string }> {
  const check = await authenticate(db, self.email, input.currentPassword);
  if (!check.ok || check.userId !== self.userId) {
    const message = check.ok ? "Wrong password" : check.message === SIGN_IN_REFUSED ? "Wrong password" : check.message;
    throw new AppError("VALIDATION", "Your current password was not accepted.", { currentPassword: message });
  }
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` }).where(eq(users.id, self.userId));
    await recordAudit(tx, self, { action: "account.password_changed", objectType: "user", objectId: self.userId, details: { email: self.email } });
  });
  return { email: self.email };
}

/** Ends every session of the signed-in user on every device, this one included. */
export async function signOutEverywhere(db: TDb, self: TSelf): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(users).set({ sessionVersion: sql`${users.sessionVersion} + 1` }).where(eq(users.id, self.userId));
    await recordAudit(tx, self, { action: "account.signed_out_everywhere", objectType: "user", objectId: self.userId, details: { email: self.email } });
  });
}
