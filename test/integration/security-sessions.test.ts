/**
 * Finding 9 of issue 21 (sessions) and finding 2's per-address limit as sign-in wires it: a session is a
 * row on the server, checked on every request; sign-out deletes it (a copied cookie's claims no longer
 * resolve), an idle session ends, and a password change or a removal from the team ends every session.
 * Sign-in (next-auth's authorize) counts failures against the client address the web server resolved.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { JWT } from "next-auth/jwt";
import type { Session, User } from "next-auth";
import { sessions, signInFailures } from "@/db/schema";
import { loadLiveSession, type TSessionClaims } from "@/lib/auth/sessions";
import { changePassword } from "@/lib/team/account";
import { removeMember } from "@/lib/team/members";
import { CLIENT_ADDRESS_HEADER } from "@/lib/http/client-address";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createTeamWithUser } from "../support/fixtures";

vi.mock("server-only", () => ({}));

type TAuthOptions = (typeof import("@/lib/server/auth-options"))["authOptions"];

describe("server-side sessions", () => {
  let app: TTestAppDb;
  let authOptions: TAuthOptions;

  beforeAll(async () => {
    app = await createAppDatabase();
    // The sign-in code uses the web server's shared pool: point it at this file's database.
    process.env.DATABASE_URL = app.url;
    Reflect.deleteProperty(globalThis, "__appDb");
    ({ authOptions } = await import("@/lib/server/auth-options"));
  });
  afterAll(async () => app?.close());

  /** Signs in through next-auth's own callbacks, as POST /api/auth/callback/credentials does. */
  async function signIn(email: string, password: string, address = "192.0.2.10"): Promise<{ token: JWT; claims: TSessionClaims }> {
    const provider = authOptions.providers[0];
    if (provider?.type !== "credentials") throw new Error("expected the credentials provider");
    const user = await provider.options.authorize({ email, password }, { headers: { [CLIENT_ADDRESS_HEADER]: address }, body: {}, query: {}, method: "POST" });
    if (!user) throw new Error("authorize returned nothing");
    const token = await authOptions.callbacks!.jwt!({ token: {}, user: user as User, account: null, trigger: "signIn" });
    const session = await authOptions.callbacks!.session!({ session: { expires: "" }, token, user: user as never, newSession: undefined, trigger: "update" });
    return { token, claims: session as Session };
  }

  it("sign-in stores only the session id's hash; sign-out ends the session on the server", async () => {
    const { user } = await createTeamWithUser(app.db, "member", "sign-out@example.com");
    const { token, claims } = await signIn(user.email, "test-password-1");
    expect(await loadLiveSession(app.db, claims)).toMatchObject({ user: { id: user.id } });
    const rows = await app.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.idHash).not.toBe(token.sid);
    expect(JSON.stringify(claims)).not.toContain(token.sid);

    await authOptions.events!.signOut!({ token, session: claims as Session });
    // The same cookie (a copy kept elsewhere) decodes to the same claims: they no longer resolve.
    expect(await loadLiveSession(app.db, claims)).toBeNull();
    expect(await app.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
  });

  it("a session idle for longer than the timeout ends; one used within it lives on", async () => {
    const { user } = await createTeamWithUser(app.db, "viewer", "idle@example.com");
    const idle = await signIn(user.email, "test-password-1");
    const busy = await signIn(user.email, "test-password-1");
    const age = (claims: TSessionClaims, minutes: number) =>
      app.db.update(sessions).set({ lastSeenAt: sql`now() - make_interval(mins => ${minutes})` }).where(eq(sessions.idHash, claims.sh!));
    await age(idle.claims, 31);
    await age(busy.claims, 29);
    expect(await loadLiveSession(app.db, idle.claims, 30)).toBeNull();
    expect(await loadLiveSession(app.db, busy.claims, 30)).not.toBeNull();
    // Using it restarted its idle clock.
    const [row] = await app.db.select({ fresh: sql<boolean>`${sessions.lastSeenAt} > now() - interval '1 minute'` }).from(sessions).where(eq(sessions.idHash, busy.claims.sh!));
    expect(row?.fresh).toBe(true);
    // An idle session is gone for good, even with a longer timeout afterwards.
    expect(await loadLiveSession(app.db, idle.claims, 600)).toBeNull();
  });

  it("a password change and a removal from the team end every session of that user", async () => {
    const { team, user: owner } = await createTeamWithUser(app.db, "owner", "owner-s@example.com");
    const [member] = await app.db.execute<{ id: string }>(sql`WITH u AS (INSERT INTO users (email, password_hash) SELECT 'member-s@example.com', password_hash FROM users WHERE id = ${owner.id} RETURNING id)
      INSERT INTO memberships (team_id, user_id, role) SELECT ${team.id}, id, 'member' FROM u RETURNING user_id AS id`).then((r) => r.rows);
    const ownerSession = await signIn(owner.email, "test-password-1");
    const memberSession = await signIn("member-s@example.com", "test-password-1");
    expect(await loadLiveSession(app.db, ownerSession.claims)).not.toBeNull();
    expect(await loadLiveSession(app.db, memberSession.claims)).not.toBeNull();

    const actor = { teamId: team.id, userId: owner.id, email: owner.email, ipAddress: null };
    await changePassword(app.db, actor, { currentPassword: "test-password-1", newPassword: "a-new-password-2" });
    expect(await loadLiveSession(app.db, ownerSession.claims)).toBeNull();

    await removeMember(app.db, { actor, role: "owner" }, { userId: member!.id });
    expect(await loadLiveSession(app.db, memberSession.claims)).toBeNull();
  });

  it("failed sign-ins count against the client address the web server resolved; successes do not", async () => {
    await createTeamWithUser(app.db, "member", "address@example.com");
    const address = "198.51.100.77";
    await signIn("address@example.com", "test-password-1", address);
    for (const email of ["nobody-1@example.com", "nobody-2@example.com", "address@example.com"]) {
      await expect(signIn(email, "wrong password 1", address)).rejects.toThrow(/Wrong email or password/);
    }
    const [row] = await app.db.select().from(signInFailures).where(eq(signInFailures.email, `addr:${address}`));
    expect(row?.failures).toBe(3);
  });
});
