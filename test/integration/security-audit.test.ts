/**
 * Finding 12 of issue 21 (part): sign-in success, failure and lockout are audited in the account's
 * team; the audit log redacts secret fields by name and keeps facts such as passwordChanged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, asc, eq } from "drizzle-orm";
import { auditEvents } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { authenticate } from "@/lib/auth/accounts";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createTeamWithUser } from "../support/fixtures";

describe("audit of sign-ins and redaction", () => {
  let app: TTestAppDb;
  let owner: Awaited<ReturnType<typeof createTeamWithUser>>;
  beforeAll(async () => {
    app = await createAppDatabase();
    owner = await createTeamWithUser(app.db, "owner", "audited@example.com");
  });
  afterAll(async () => app?.close());

  it("records sign-in, failed sign-ins and the lockout, with the client address, never the password", async () => {
    expect(await authenticate(app.db, "audited@example.com", "test-password-1", { clientAddress: "198.51.100.4" })).toMatchObject({ ok: true });
    for (let i = 0; i < 6; i++) await authenticate(app.db, "audited@example.com", "guess-number-one", { clientAddress: "198.51.100.4" });
    const events = await app.db.select().from(auditEvents).where(and(eq(auditEvents.teamId, owner.team.id))).orderBy(asc(auditEvents.id));
    expect(events.map((e) => e.action)).toEqual(["auth.sign_in", ...Array(5).fill("auth.sign_in_failed"), "auth.sign_in_locked"]);
    expect(events.every((e) => e.ipAddress === "198.51.100.4" && e.actorUserId === owner.user.id)).toBe(true);
    expect(JSON.stringify(events.map((e) => e.details))).not.toContain("guess-number-one");
  });

  it("redacts secret fields by name, at any depth, and keeps facts whose names merely look secret", async () => {
    await recordAudit(app.db, { teamId: owner.team.id, userId: owner.user.id, email: owner.user.email }, {
      action: "test.redaction",
      objectType: "test",
      details: { passwordChanged: true, replicationKey: ["updated_at"], sshHostKey: "SHA256:abc", password: "pw", nested: { privateKey: "k", note: "n" } },
    });
    const [e] = await app.db.select().from(auditEvents).where(eq(auditEvents.action, "test.redaction"));
    expect(e!.details).toEqual({ passwordChanged: true, replicationKey: ["updated_at"], sshHostKey: "SHA256:abc", password: "[redacted]", nested: { privateKey: "[redacted]", note: "n" } });
  });
});
