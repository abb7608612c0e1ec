import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { invitations, memberships, users } from "@/db/schema";
import { authenticate, checkInvitationToken, hashInvitationToken, loadSessionContext, signUp } from "@/lib/auth/accounts";
import { issueSetupToken } from "@/lib/auth/setup-token";
import { AppError } from "@/lib/errors";
import { createAppDatabase, type TTestAppDb } from "../support/databases";

describe("accounts", () => {
  let app: TTestAppDb;
  beforeAll(async () => {
    app = await createAppDatabase();
  });
  afterAll(async () => app?.close());

  it("makes the first account the Owner of a new team, and refuses a second sign-up without an invitation", async () => {
    const first = await signUp(app.db, { email: "owner@example.com", password: "correct horse 1", setupToken: (await issueSetupToken(app.db)) ?? undefined });
    expect(first).toMatchObject({ role: "owner", createdTeam: true });
    await expect(signUp(app.db, { email: "stranger@example.com", password: "correct horse 2" })).rejects.toThrow(/needs an invitation/);
    expect(await app.db.select().from(users).where(eq(users.email, "stranger@example.com"))).toHaveLength(0);
  });

  it("lets an invited person join with the invitation's role, once", async () => {
    const [m] = await app.db.select().from(memberships);
    await app.db.insert(invitations).values({ teamId: m!.teamId, role: "viewer", tokenHash: hashInvitationToken("tok-1"), expiresAt: new Date(Date.now() + 86_400_000) });
    const joined = await signUp(app.db, { email: "viewer@example.com", password: "correct horse 3", invitationToken: "tok-1" });
    expect(joined).toMatchObject({ role: "viewer", teamId: m!.teamId, createdTeam: false });
    const again = signUp(app.db, { email: "other@example.com", password: "correct horse 4", invitationToken: "tok-1" });
    await expect(again).rejects.toThrow(/already been used/);
    // The sign-up page tells the same before anyone types.
    expect(await checkInvitationToken(app.db, "tok-1")).toEqual({ ok: false, message: "This invitation link has already been used. Ask for a new one." });
    expect(await checkInvitationToken(app.db, "no-such-token")).toEqual({ ok: false, message: "This invitation link is not valid. Ask for a new one." });
  });

  it("refuses an expired invitation", async () => {
    const [m] = await app.db.select().from(memberships);
    await app.db.insert(invitations).values({ teamId: m!.teamId, role: "member", tokenHash: hashInvitationToken("tok-old"), expiresAt: new Date(Date.now() - 1000) });
    await expect(signUp(app.db, { email: "late@example.com", password: "correct horse 5", invitationToken: "tok-old" })).rejects.toBeInstanceOf(AppError);
  });

  it("answers unknown email and wrong password alike, and slows down repeated failures", async () => {
    expect(await authenticate(app.db, "nobody@example.com", "x")).toMatchObject({ ok: false, field: "password", message: "Wrong email or password" });
    expect(await authenticate(app.db, "owner@example.com", "wrong")).toMatchObject({ ok: false, field: "password", message: "Wrong email or password" });
    for (let i = 0; i < 5; i++) await authenticate(app.db, "owner@example.com", "wrong");
    const locked = await authenticate(app.db, "owner@example.com", "correct horse 1");
    expect(locked).toMatchObject({ ok: false, field: "password" });
    expect(locked.ok ? "" : locked.message).toMatch(/Too many failed sign-ins/);
  });

  it("ends sessions when the session version changes", async () => {
    const [u] = await app.db.select().from(users).where(eq(users.email, "viewer@example.com"));
    expect(await loadSessionContext(app.db, u!.id, u!.sessionVersion)).toMatchObject({ role: "viewer" });
    await app.db.update(users).set({ sessionVersion: u!.sessionVersion + 1 }).where(eq(users.id, u!.id));
    expect(await loadSessionContext(app.db, u!.id, u!.sessionVersion)).toBeNull();
  });
});
