import { eq } from "drizzle-orm";
import type { TDb } from "@/db/client";
import { memberships, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";

export type TSignInOutcome = "auth.sign_in" | "auth.sign_in_failed" | "auth.sign_in_locked";

/**
 * Records a sign-in, a failed one or a refused one (locked out) in the audit log of the account's team.
 * An e-mail with no account has no team to record it in; the throttle still counts it.
 */
export async function auditSignIn(db: TDb, email: string, outcome: TSignInOutcome, clientAddress: string | null): Promise<void> {
  const [row] = await db
    .select({ userId: users.id, teamId: memberships.teamId })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .where(eq(users.email, email))
    .limit(1);
  if (!row) return;
  await recordAudit(db, { teamId: row.teamId, userId: row.userId, email, ipAddress: clientAddress }, { action: outcome, objectType: "user", objectId: row.userId, details: { email } });
}
