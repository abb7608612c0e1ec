import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { auditEvents, invitations, memberships, users, type TRole } from "@/db/schema";
import { authenticate, hashInvitationToken, loadSessionContext, signUp } from "@/lib/auth/accounts";
import { hashPassword } from "@/lib/auth/password";
import { changePassword, signOutEverywhere } from "@/lib/team/account";
import { createInvitation, invitationPath, listOpenInvitations, revokeInvitation, INVITATION_TTL_MS } from "@/lib/team/invitations";
import { changeMemberRole, listMembers, removeMember } from "@/lib/team/members";
import type { TTeamActor } from "@/lib/team/context";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createTeamWithUser } from "../support/fixtures";

describe("team: members, roles, invitations, account", () => {
  let app: TTestAppDb;
  let teamId: string;
  let owner: TTeamActor;

  const actorFor = (userId: string, email: string, role: TRole): TTeamActor => ({ actor: { teamId, userId, email, ipAddress: "198.51.100.4" }, role });
  async function add(role: TRole, email: string) {
    const [u] = await app.db.insert(users).values({ email, passwordHash: await hashPassword("test-password-1") }).returning();
    await app.db.insert(memberships).values({ teamId, userId: u!.id, role });
    return actorFor(u!.id, email, role);
  }
  const roleOf = async (userId: string) => (await app.db.select().from(memberships).where(eq(memberships.userId, userId)))[0]?.role;

  beforeAll(async () => {
    app = await createAppDatabase();
    const { team, user } = await createTeamWithUser(app.db, "owner", "owner@example.com");
    teamId = team.id;
    owner = actorFor(user.id, user.email, "owner");
  });
  afterAll(async () => app?.close());

  it("makes a one-time link that stores only the token's hash, expires in 7 days, and lets the invitee join with its role once", async () => {
    const now = new Date();
    const inv = await createInvitation(app.db, owner, { role: "viewer" }, now);
    expect(invitationPath(inv.token)).toBe(`/sign-up?invite=${inv.token}`);
    expect(inv.token.length).toBeGreaterThanOrEqual(40);
    const [row] = await app.db.select().from(invitations).where(eq(invitations.id, inv.id));
    expect(row!.tokenHash).toBe(hashInvitationToken(inv.token));
    expect(JSON.stringify(row)).not.toContain(inv.token);
    expect(row!.expiresAt.getTime() - now.getTime()).toBe(INVITATION_TTL_MS);
    expect((await listOpenInvitations(app.db, teamId)).map((i) => i.id)).toContain(inv.id);

    const joined = await signUp(app.db, { email: "vera@example.com", password: "vera-password-1", invitationToken: inv.token });
    expect(joined).toMatchObject({ teamId, role: "viewer" });
    expect((await listOpenInvitations(app.db, teamId)).map((i) => i.id)).not.toContain(inv.id);
    await expect(signUp(app.db, { email: "again@example.com", password: "again-password-1", invitationToken: inv.token })).rejects.toThrow(/already been used/);
    const members = await listMembers(app.db, teamId);
    expect(members.map((m) => [m.email, m.role])).toEqual([
      ["owner@example.com", "owner"],
      ["vera@example.com", "viewer"],
    ]);
  });

  it("refuses an invitation link after it expired or was revoked", async () => {
    const old = await createInvitation(app.db, owner, { role: "member" }, new Date(Date.now() - INVITATION_TTL_MS - 60_000));
    expect((await listOpenInvitations(app.db, teamId)).find((i) => i.id === old.id)?.status).toBe("expired");
    await expect(signUp(app.db, { email: "late@example.com", password: "late-password-1", invitationToken: old.token })).rejects.toThrow(/expired/);

    const revoked = await createInvitation(app.db, owner, { role: "member" });
    await revokeInvitation(app.db, owner, { invitationId: revoked.id });
    await expect(signUp(app.db, { email: "rev@example.com", password: "rev-password-1", invitationToken: revoked.token })).rejects.toThrow(/not valid/);
    expect((await listOpenInvitations(app.db, teamId)).map((i) => i.id)).not.toContain(revoked.id);
  });

  it("lets an Admin invite up to Admin but not an Owner, and refuses an address that already has an account", async () => {
    const admin = await add("admin", "adam@example.com");
    await expect(createInvitation(app.db, admin, { role: "admin" })).resolves.toMatchObject({ role: "admin" });
    await expect(createInvitation(app.db, admin, { role: "owner" })).rejects.toThrow("Only an Owner can invite an Owner.");
    await expect(createInvitation(app.db, owner, { role: "member", email: "vera@example.com" })).rejects.toThrow(/already has an account/);
  });

  it("only an Owner makes or unmakes Owners; Admins manage the rest", async () => {
    const admin = await add("admin", "ada@example.com");
    const m = await add("member", "mo@example.com");
    await expect(changeMemberRole(app.db, admin, { userId: m.actor.userId, role: "owner" })).rejects.toThrow("Only an Owner can make someone an Owner.");
    await expect(changeMemberRole(app.db, admin, { userId: owner.actor.userId, role: "viewer" })).rejects.toThrow("Only an Owner can change an Owner's role.");
    await expect(removeMember(app.db, admin, { userId: owner.actor.userId })).rejects.toThrow("Only an Owner can remove an Owner.");
    expect(await roleOf(owner.actor.userId)).toBe("owner");

    await expect(changeMemberRole(app.db, admin, { userId: m.actor.userId, role: "admin" })).resolves.toEqual({ changed: true });
    expect(await roleOf(m.actor.userId)).toBe("admin");
    await expect(changeMemberRole(app.db, owner, { userId: m.actor.userId, role: "owner" })).resolves.toEqual({ changed: true });
    expect(await roleOf(m.actor.userId)).toBe("owner");
    const [event] = await app.db.select().from(auditEvents).where(eq(auditEvents.action, "member.role_changed")).orderBy(auditEvents.id);
    expect(event).toMatchObject({ actorEmail: "ada@example.com", objectType: "membership", objectId: m.actor.userId, ipAddress: "198.51.100.4", details: { from: "member", to: "admin" } });
    // Back to one Owner for the next test.
    await changeMemberRole(app.db, owner, { userId: m.actor.userId, role: "member" });
  });

  it("always keeps at least one Owner, even when two Owners demote each other at once", async () => {
    await expect(changeMemberRole(app.db, owner, { userId: owner.actor.userId, role: "admin" })).rejects.toThrow(/at least one Owner/);
    await expect(removeMember(app.db, owner, { userId: owner.actor.userId })).rejects.toThrow(/at least one Owner/);

    const second = await add("owner", "second-owner@example.com");
    const results = await Promise.allSettled([
      changeMemberRole(app.db, owner, { userId: second.actor.userId, role: "admin" }),
      changeMemberRole(app.db, second, { userId: owner.actor.userId, role: "admin" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const owners = (await listMembers(app.db, teamId)).filter((m) => m.role === "owner");
    expect(owners).toHaveLength(1);
    // Restore the original Owner if the second one won.
    if (owners[0]!.userId !== owner.actor.userId) {
      await changeMemberRole(app.db, { ...second, role: "owner" }, { userId: owner.actor.userId, role: "owner" });
      await changeMemberRole(app.db, owner, { userId: second.actor.userId, role: "admin" });
    }
  });

  it("removing a member ends their sessions at once and frees the address for a new invitation", async () => {
    const gone = await add("member", "gone@example.com");
    const [u] = await app.db.select().from(users).where(eq(users.id, gone.actor.userId));
    expect(await loadSessionContext(app.db, u!.id, u!.sessionVersion)).not.toBeNull();
    await expect(removeMember(app.db, owner, { userId: u!.id })).resolves.toEqual({ email: "gone@example.com" });
    expect(await loadSessionContext(app.db, u!.id, u!.sessionVersion)).toBeNull();
    expect(await authenticate(app.db, "gone@example.com", "test-password-1")).toMatchObject({ ok: false, field: "password", message: "Wrong email or password" });
    expect((await listMembers(app.db, teamId)).map((m) => m.email)).not.toContain("gone@example.com");
    const again = await createInvitation(app.db, owner, { role: "viewer", email: "gone@example.com" });
    await expect(signUp(app.db, { email: "gone@example.com", password: "back-password-1", invitationToken: again.token })).resolves.toMatchObject({ role: "viewer" });
    const [event] = await app.db.select().from(auditEvents).where(eq(auditEvents.action, "member.removed"));
    expect(event).toMatchObject({ actorEmail: "owner@example.com", details: { email: "gone@example.com", role: "member" } });
  });

  it("refuses members of another team by id", async () => {
    const other = await createTeamWithUser(app.db, "viewer", "outsider@example.com");
    await expect(changeMemberRole(app.db, owner, { userId: other.user.id, role: "admin" })).rejects.toThrow("No such member in your team");
    await expect(removeMember(app.db, owner, { userId: other.user.id })).rejects.toThrow("No such member in your team");
    const [otherInvitation] = await app.db
      .insert(invitations)
      .values({ teamId: other.team.id, role: "viewer", tokenHash: hashInvitationToken("other-team"), expiresAt: new Date(Date.now() + 60_000) })
      .returning();
    await expect(revokeInvitation(app.db, owner, { invitationId: otherInvitation!.id })).rejects.toThrow("No such invitation in your team");
    expect(await roleOf(other.user.id)).toBe("viewer");
    expect((await listOpenInvitations(app.db, teamId)).map((i) => i.id)).not.toContain(otherInvitation!.id);
  });

  it("changes a password only with the current one, and ends every session; sign-out everywhere ends them too", async () => {
    const self = await add("viewer", "pat@example.com");
    const who = { ...self.actor, email: "pat@example.com" };
    await expect(changePassword(app.db, who, { currentPassword: "wrong-password-1", newPassword: "pat-new-password-2" })).rejects.toMatchObject({
      fieldErrors: { currentPassword: "Wrong password" },
    });
    const [before] = await app.db.select().from(users).where(eq(users.id, who.userId));
    await changePassword(app.db, who, { currentPassword: "test-password-1", newPassword: "pat-new-password-2" });
    expect(await loadSessionContext(app.db, who.userId, before!.sessionVersion)).toBeNull();
    expect(await authenticate(app.db, "pat@example.com", "test-password-1")).toMatchObject({ ok: false });
    const signedIn = await authenticate(app.db, "pat@example.com", "pat-new-password-2");
    expect(signedIn).toMatchObject({ ok: true });
    const sv = signedIn.ok ? signedIn.sessionVersion : -1;
    expect(await loadSessionContext(app.db, who.userId, sv)).not.toBeNull();
    await signOutEverywhere(app.db, who);
    expect(await loadSessionContext(app.db, who.userId, sv)).toBeNull();
    const events = await app.db.select().from(auditEvents).where(eq(auditEvents.actorEmail, "pat@example.com"));
    expect(events.map((e) => e.action).filter((a) => a.startsWith("account."))).toEqual(["account.password_changed", "account.signed_out_everywhere"]);
    // The re-authentications are sign-in checks, audited as such (the wrong current password too).
    expect(events.map((e) => e.action)).toContain("auth.sign_in_failed");
    expect(JSON.stringify(events)).not.toContain("pat-new-password-2");
  });
});
