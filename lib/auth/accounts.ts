import { and, eq, sql } from "drizzle-orm";
import { createHash } from "node:crypto";
import type { TDb } from "@/db/client";
import { invitations, memberships, teams, users, type TInvitation, type TRole } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { hashPassword, verifyPassword } from "./password";
import { auditSignIn } from "./sign-in-audit";
import { consumeSetupToken, isSetupTokenValid, SETUP_LINK_INVALID, SETUP_LINK_NEEDED } from "./setup-token";
import { addressKey, lockoutSeconds as throttleLockout, purgeExpiredFailures, reserveAttempt, settleSuccess, THROTTLES } from "./sign-in-throttle";

export const hashInvitationToken = (token: string): string => createHash("sha256").update(token).digest("hex");

const INVALID_INVITATION = "This invitation link is not valid. Ask for a new one.";

/** Why an invitation cannot be used, in words for the person holding the link; null when it can. */
function invitationProblem(invitation: TInvitation | undefined, now = Date.now()): string | null {
  if (!invitation || invitation.revokedAt) return INVALID_INVITATION;
  if (invitation.acceptedAt) return "This invitation link has already been used. Ask for a new one.";
  if (invitation.expiresAt.getTime() < now) return "This invitation link has expired. Ask for a new one.";
  return null;
}

/** Checks a link's token when the sign-up page opens, so a dead link says so before anyone types. */
export async function checkInvitationToken(db: TDb, token: string): Promise<{ ok: true; role: TRole; email: string | null } | { ok: false; message: string }> {
  const [invitation] = await db.select().from(invitations).where(eq(invitations.tokenHash, hashInvitationToken(token))).limit(1);
  const problem = invitationProblem(invitation);
  return problem || !invitation ? { ok: false, message: problem ?? INVALID_INVITATION } : { ok: true, role: invitation.role, email: invitation.email };
}

/**
 * The checks a sign-up must pass, made before any bcrypt work so that a stream of sign-ups without a
 * valid invitation costs the server nothing. The transaction in signUp checks again under its lock.
 */
async function assertMaySignUp(db: TDb, input: TSignUpInput): Promise<void> {
  if (await isFreshInstall(db)) {
    if (!(await isSetupTokenValid(db, input.setupToken))) throw new AppError("FORBIDDEN", input.setupToken ? SETUP_LINK_INVALID : SETUP_LINK_NEEDED);
    return;
  }
  if (!input.invitationToken) {
    throw new AppError("FORBIDDEN", "Sign-up needs an invitation. Ask a team admin for an invitation link.", {
      email: "Sign-up needs an invitation. Ask a team admin for an invitation link.",
    });
  }
  const [invitation] = await db.select().from(invitations).where(eq(invitations.tokenHash, hashInvitationToken(input.invitationToken))).limit(1);
  const problem = invitationProblem(invitation);
  if (problem) throw new AppError("FORBIDDEN", problem);
  if (invitation?.email && invitation.email !== input.email) throw new AppError("FORBIDDEN", `This invitation is for ${invitation.email}`, { email: `This invitation is for ${invitation.email}` });
}

export type TSignUpInput = { email: string; password: string; name?: string; invitationToken?: string; setupToken?: string; ipAddress?: string | null };
export type TSignedUp = { userId: string; teamId: string; role: TRole; createdTeam: boolean };

/**
 * The first account of a fresh install creates the team and becomes its Owner, with the setup link's
 * token (used up here); any later account needs a valid, unused invitation. Serialized by an advisory lock so two first sign-ups cannot both win.
 */
export async function signUp(
  db: TDb,
  input: TSignUpInput,
  onTeamCreated?: (tx: Parameters<Parameters<TDb["transaction"]>[0]>[0], teamId: string) => Promise<void>,
): Promise<TSignedUp> {
  await assertMaySignUp(db, input);
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(742032)`);
    const existing = await tx.select({ id: users.id }).from(users).where(eq(users.email, input.email)).limit(1);
    if (existing.length > 0) throw new AppError("CONFLICT", "An account with this email already exists", { email: "An account with this email already exists. Sign in instead." });

    const anyTeam = await tx.select({ id: teams.id }).from(teams).limit(1);
    let teamId: string;
    let role: TRole;
    let invitationId: string | null = null;
    if (anyTeam.length === 0) {
      if (!(await consumeSetupToken(tx, input.setupToken))) throw new AppError("FORBIDDEN", input.setupToken ? SETUP_LINK_INVALID : SETUP_LINK_NEEDED);
      const [team] = await tx.insert(teams).values({ name: "My team" }).returning({ id: teams.id });
      if (!team) throw new AppError("INTERNAL", "Could not create the team");
      teamId = team.id;
      role = "owner";
    } else {
      if (!input.invitationToken) {
        throw new AppError("FORBIDDEN", "Sign-up needs an invitation. Ask a team admin for an invitation link.", {
          email: "Sign-up needs an invitation. Ask a team admin for an invitation link.",
        });
      }
      const [invitation] = await tx
        .select()
        .from(invitations)
        .where(eq(invitations.tokenHash, hashInvitationToken(input.invitationToken)))
        .for("update")
        .limit(1);
      const problem = invitationProblem(invitation);
      if (problem || !invitation) throw new AppError("FORBIDDEN", problem ?? INVALID_INVITATION);
      if (invitation.email && invitation.email !== input.email) {
        throw new AppError("FORBIDDEN", `This invitation is for ${invitation.email}`, { email: `This invitation is for ${invitation.email}` });
      }
      teamId = invitation.teamId;
      role = invitation.role;
      invitationId = invitation.id;
    }

    const [user] = await tx
      .insert(users)
      .values({ email: input.email, name: input.name ?? null, passwordHash })
      .returning({ id: users.id });
    if (!user) throw new AppError("INTERNAL", "Could not create the account");
    await tx.insert(memberships).values({ teamId, userId: user.id, role });
    if (invitationId) {
      await tx.update(invitations).set({ acceptedAt: new Date(), acceptedBy: user.id }).where(eq(invitations.id, invitationId));
    }
    if (anyTeam.length === 0 && onTeamCreated) await onTeamCreated(tx, teamId);
    const actor = { teamId, userId: user.id, email: input.email, ipAddress: input.ipAddress ?? null };
    await recordAudit(tx, actor, {
      action: invitationId ? "member.joined" : "team.created",
      objectType: invitationId ? "membership" : "team",
      objectId: invitationId ? user.id : teamId,
      details: { role },
    });
    return { userId: user.id, teamId, role, createdTeam: anyTeam.length === 0 };
  });
}

/** Seconds an e-mail stays locked after its latest failure, given its failures in the window. */
export const lockoutSeconds = (failures: number): number => throttleLockout(failures, THROTTLES.email.free);

/** The one answer for an unknown e-mail and a wrong password: which of the two it was is not told. */
export const SIGN_IN_REFUSED = "Wrong email or password";

export type TAuthResult =
  | { ok: true; userId: string; sessionVersion: number }
  | { ok: false; field: "email" | "password"; message: string };

const tooMany = (waitSeconds: number): TAuthResult => ({ ok: false, field: "password", message: `Too many failed sign-ins. Try again in ${waitSeconds} seconds.` });

/** Compared against when the e-mail is unknown, so both cases cost one bcrypt. */
let decoyHash: Promise<string> | null = null;

/**
 * Checks an e-mail and password. Each attempt is reserved against the e-mail and the client address
 * (when known: the address as lib/http/client-address.ts resolves it) before bcrypt runs, so a burst
 * gets the same few guesses as a sequence.
 */
export async function authenticate(db: TDb, emailInput: string, password: string, opts: { clientAddress?: string | null } = {}): Promise<TAuthResult> {
  const email = emailInput.trim().toLowerCase();
  const address = opts.clientAddress || null;
  await purgeExpiredFailures(db);
  if (address) {
    const byAddress = await reserveAttempt(db, addressKey(address), THROTTLES.address.free);
    if (!byAddress.ok) return tooMany(byAddress.waitSeconds);
  }
  // Not an e-mail: no account can match, and it must not take a throttle key's shape.
  if (!email.includes("@")) return { ok: false, field: "password", message: SIGN_IN_REFUSED };
  const byEmail = await reserveAttempt(db, email, THROTTLES.email.free);
  if (!byEmail.ok) {
    await auditSignIn(db, email, "auth.sign_in_locked", address);
    return tooMany(byEmail.waitSeconds);
  }
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  decoyHash ??= hashPassword("decoy password, never valid 0");
  const valid = await verifyPassword(password, user ? user.passwordHash : await decoyHash);
  if (!user || !valid) {
    await auditSignIn(db, email, "auth.sign_in_failed", address);
    return { ok: false, field: "password", message: SIGN_IN_REFUSED };
  }
  await settleSuccess(db, email, address);
  await db.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, user.id));
  await auditSignIn(db, email, "auth.sign_in", address);
  return { ok: true, userId: user.id, sessionVersion: user.sessionVersion };
}

export type TSessionContext = {
  user: { id: string; email: string; name: string | null };
  team: { id: string; name: string };
  role: TRole;
};

/** Loads user, team and role for a session; null when the session is no longer valid. */
export async function loadSessionContext(db: TDb, userId: string, sessionVersion: number): Promise<TSessionContext | null> {
  const [row] = await db
    .select({ user: users, team: teams, role: memberships.role })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(and(eq(users.id, userId), eq(users.sessionVersion, sessionVersion)))
    .limit(1);
  if (!row) return null;
  return { user: { id: row.user.id, email: row.user.email, name: row.user.name }, team: { id: row.team.id, name: row.team.name }, role: row.role };
}

export async function isFreshInstall(db: TDb): Promise<boolean> {
  const rows = await db.select({ id: teams.id }).from(teams).limit(1);
  return rows.length === 0;
}

