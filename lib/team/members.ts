import { and, asc, eq, sql } from "drizzle-orm";
import type { TDb, TDbOrTx } from "@/db/client";
import { memberships, users, type TRole } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import type { TTeamActor } from "./context";
import { roleChangeRefusal } from "./rules";

export type TMember = { userId: string; email: string; name: string | null; role: TRole; lastSignInAt: Date | null; joinedAt: Date };

const RANK_SQL = sql`CASE ${memberships.role} WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'member' THEN 2 ELSE 3 END`;

/** The team's members, Owners first, with their last sign-in. */
export async function listMembers(db: TDbOrTx, teamId: string): Promise<TMember[]> {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, lastSignInAt: users.lastSignInAt, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.teamId, teamId))
    .orderBy(RANK_SQL, asc(users.email));
}

type TTx = Parameters<Parameters<TDb["transaction"]>[0]>[0];

/** Locks the team's memberships (so two admins cannot both demote the last two Owners) and returns them. */
async function lockTeamMembers(tx: TTx, teamId: string) {
  return tx
    .select({ userId: memberships.userId, role: memberships.role, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.teamId, teamId))
    .for("update", { of: memberships });
}

function lastOwnerGuard(members: { role: TRole }[], from: TRole, to: TRole | null): void {
  if (from !== "owner" || to === "owner") return;
  if (members.filter((m) => m.role === "owner").length <= 1) {
    throw new AppError("CONFLICT", "A team always needs at least one Owner. Make another member Owner first.");
  }
}

/** Changes a member's role; only an Owner makes or unmakes Owners, and the last Owner stays. */
export async function changeMemberRole(db: TDb, by: TTeamActor, input: { userId: string; role: TRole }): Promise<{ changed: boolean }> {
  return db.transaction(async (tx) => {
    const members = await lockTeamMembers(tx, by.actor.teamId);
    const target = members.find((m) => m.userId === input.userId);
    if (!target) throw new AppError("NOT_FOUND", "No such member in your team");
    const refusal = roleChangeRefusal(by.role, target.role, input.role);
    if (refusal) throw new AppError("FORBIDDEN", refusal);
    if (target.role === input.role) return { changed: false };
    lastOwnerGuard(members, target.role, input.role);
    await tx
      .update(memberships)
      .set({ role: input.role })
      .where(and(eq(memberships.teamId, by.actor.teamId), eq(memberships.userId, target.userId)));
    await recordAudit(tx, by.actor, {
      action: "member.role_changed",
      objectType: "membership",
      objectId: target.userId,
      details: { email: target.email, from: target.role, to: input.role },
    });
    return { changed: true };
  });
}

/**
 * Removes a member from the team. An account belongs to exactly one team, so the account goes with
 * the membership: every session it had ends at once (sessions resolve the user on each request), and
 * the address can be invited again. The audit log keeps the e-mail of everything they did.
 */
export async function removeMember(db: TDb, by: TTeamActor, input: { userId: string }): Promise<{ email: string }> {
  return db.transaction(async (tx) => {
    const members = await lockTeamMembers(tx, by.actor.teamId);
    const target = members.find((m) => m.userId === input.userId);
    if (!target) throw new AppError("NOT_FOUND", "No such member in your team");
    const refusal = roleChangeRefusal(by.role, target.role, null);
    if (refusal) throw new AppError("FORBIDDEN", refusal);
    lastOwnerGuard(members, target.role, null);
    await recordAudit(tx, by.actor, {
      action: "member.removed",
      objectType: "membership",
      objectId: target.userId,
      details: { email: target.email, role: target.role },
    });
    // End their sessions even if the delete below were ever turned into a soft removal.
    await tx.update(users).set({ sessionVersion: sql`${users.sessionVersion} + 1` }).where(eq(users.id, target.userId));
    await tx.delete(memberships).where(and(eq(memberships.teamId, by.actor.teamId), eq(memberships.userId, target.userId)));
    await tx.delete(users).where(eq(users.id, target.userId));
    return { email: target.email };
  });
}
