import { and, desc, eq, isNull } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import type { TDb, TDbOrTx } from "@/db/client";
import { invitations, users, type TRole } from "@/db/schema";
import { hashInvitationToken } from "@/lib/auth/accounts";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import type { TTeamActor } from "./context";
import { assignableRoles } from "./rules";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type TCreatedInvitation = { id: string; token: string; role: TRole; email: string | null; expiresAt: Date };

/** The link a new member opens; the token is only ever in this link (the database keeps its sha256). */
export function invitationPath(token: string): string {
  return `/sign-up?invite=${encodeURIComponent(token)}`;
}

/** Makes a one-time invitation link for a role the actor may hand out; valid for 7 days. */
export async function createInvitation(
  db: TDb,
  by: TTeamActor,
  input: { role: TRole; email?: string | null },
  now: Date = new Date(),
): Promise<TCreatedInvitation> {
  if (!assignableRoles(by.role).includes(input.role)) {
    throw new AppError("FORBIDDEN", by.role === "admin" ? "Only an Owner can invite an Owner." : `Your role (${ROLE_LABELS[by.role]}) cannot invite members.`, {
      role: "You cannot invite with this role",
    });
  }
  const email = input.email ? input.email.trim().toLowerCase() : null;
  if (email) {
    const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
    if (existing) throw new AppError("CONFLICT", "This person already has an account", { email: "This address already has an account" });
  }
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(invitations)
      .values({ teamId: by.actor.teamId, role: input.role, email, tokenHash: hashInvitationToken(token), invitedBy: by.actor.userId, expiresAt })
      .returning({ id: invitations.id });
    if (!row) throw new AppError("INTERNAL", "Could not create the invitation");
    await recordAudit(tx, by.actor, {
      action: "invitation.created",
      objectType: "invitation",
      objectId: row.id,
      details: { role: input.role, email, expiresAt: expiresAt.toISOString() },
    });
    return { id: row.id, token, role: input.role, email, expiresAt };
  });
}

export type TInvitationSummary = {
  id: string;
  role: TRole;
  email: string | null;
  invitedByEmail: string | null;
  createdAt: Date;
  expiresAt: Date;
  status: "pending" | "expired";
};

/** Invitations not yet used or revoked (pending, or expired and only worth revoking), newest first. */
export async function listOpenInvitations(db: TDbOrTx, teamId: string, now: Date = new Date()): Promise<TInvitationSummary[]> {
  const rows = await db
    .select({
      id: invitations.id,
      role: invitations.role,
      email: invitations.email,
      invitedByEmail: users.email,
      createdAt: invitations.createdAt,
      expiresAt: invitations.expiresAt,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.teamId, teamId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(desc(invitations.createdAt));
  return rows.map((r) => ({ ...r, status: r.expiresAt.getTime() > now.getTime() ? "pending" : "expired" }));
}

/** Revokes an open invitation of the team: its link stops working at once. */
export async function revokeInvitation(db: TDb, by: TTeamActor, input: { invitationId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.teamId, by.actor.teamId), eq(invitations.id, input.invitationId)))
      .for("update")
      .limit(1);
    if (!row) throw new AppError("NOT_FOUND", "No such invitation in your team");
    if (row.role === "owner" && by.role !== "owner") throw new AppError("FORBIDDEN", "Only an Owner can revoke an Owner invitation.");
    if (row.acceptedAt) throw new AppError("CONFLICT", "This invitation has already been used; remove the member instead.");
    if (row.revokedAt) return;
    await tx.update(invitations).set({ revokedAt: new Date() }).where(eq(invitations.id, row.id));
    await recordAudit(tx, by.actor, { action: "invitation.revoked", objectType: "invitation", objectId: row.id, details: { role: row.role, email: row.email } });
  });
}
