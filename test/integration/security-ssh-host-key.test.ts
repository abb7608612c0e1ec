/**
 * Finding 6 of issue 21: a Member cannot make the product forget a pinned SSH host key, neither by
 * retyping the bastion as an IP nor by turning the tunnel off and on; an Admin can move the tunnel.
 * The real sshd here plays an impostor: the pinned key is another server's.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eq } from "drizzle-orm";
import { integrations, memberships, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { updateIntegration } from "@/lib/integrations/update-integration";
import type { TUpdateIntegrationInput } from "@/lib/integrations/update-input";
import { ensureTeamSshKey, generateSshKeyPair } from "@/lib/source/ssh-keys";
import { createAppDatabase, createEmptyDatabase, type TTestAppDb } from "../support/databases";
import { createIntegration, createTeamWithUser } from "../support/fixtures";
import { startSshd, type TTestSshd } from "../support/sshd";

describe("a pinned SSH host key survives a Member's edits", () => {
  const pg15 = inject("pg15");
  const password = new URL(pg15.superuserUrl).password;
  let app: TTestAppDb;
  let sshd: TTestSshd;
  let source: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let member: { teamId: string; userId: string; email: string };
  let admin: { teamId: string; userId: string; email: string };
  let pinned: string;
  let integrationId: string;

  beforeAll(async () => {
    app = await createAppDatabase();
    const { team, user } = await createTeamWithUser(app.db, "member");
    member = { teamId: team.id, userId: user.id, email: user.email };
    const [a] = await app.db.insert(users).values({ email: "admin@example.com", passwordHash: await hashPassword("test-password-1") }).returning();
    await app.db.insert(memberships).values({ teamId: team.id, userId: a!.id, role: "admin" });
    admin = { teamId: team.id, userId: a!.id, email: a!.email };
    const { publicKey } = await ensureTeamSshKey(app.db, team.id);
    sshd = await startSshd({ authorizedKey: publicKey, permitOpen: `127.0.0.1:${pg15.port}` });
    source = await createEmptyDatabase("pg15", "sshpin");
    pinned = generateSshKeyPair("real-bastion").publicKey; // the real bastion's key, remembered at first connect
    const row = await createIntegration(app.db, team.id, { host: "127.0.0.1", port: pg15.port, user: "postgres", password, database: source.name }, {
      sslMode: "disable", sshEnabled: true, sshHost: "localhost", sshPort: sshd.port, sshUser: sshd.user, sshHostKey: pinned,
    });
    integrationId = row.id;
  });
  afterAll(async () => {
    await sshd?.stop();
    await source?.drop();
    await app?.close();
  });

  const edit = (over: Partial<TUpdateIntegrationInput>): TUpdateIntegrationInput => ({
    id: integrationId, password, logBased: false, host: "127.0.0.1", port: pg15.port, username: "postgres", database: source.name,
    sshEnabled: true, sshHost: "127.0.0.1", sshPort: sshd.port, sshUser: sshd.user, sslMode: "disable", sslCa: null, ...over,
  });
  const storedKey = async () => (await app.db.select().from(integrations).where(eq(integrations.id, integrationId)))[0]!.sshHostKey;

  it("retyping the bastion as an IP still requires the pinned key: the impostor is refused", async () => {
    const r = await updateIntegration(app.db, member, edit({}));
    expect(r.saved).toBe(false);
    expect(r.diagnosis.failure).toMatchObject({ step: "ssh", message: expect.stringMatching(/SSH host key changed/) });
    expect(await storedKey()).toBe(pinned);
  });

  it("turning the tunnel off and on again does not forget the key", async () => {
    const off = await updateIntegration(app.db, member, edit({ sshEnabled: false, sshHost: null, sshUser: null }));
    expect(off.saved).toBe(true);
    expect(await storedKey()).toBe(pinned);
    const on = await updateIntegration(app.db, member, edit({}));
    expect(on.saved).toBe(false);
    expect(await storedKey()).toBe(pinned);
  });

  it("an Admin moving the tunnel to another server meets it afresh", async () => {
    const r = await updateIntegration(app.db, admin, edit({}));
    expect(r.saved).toBe(true);
    expect(await storedKey()).toBe(sshd.hostKey);
  });
});
