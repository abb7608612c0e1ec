import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { auditEvents } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { listAuditEvents, listAuditFacets, ZAuditFilterSchema } from "@/lib/audit/queries";
import { deleteExpiredAuditEvents } from "@/lib/maintenance/audit-retention";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createTeamWithUser } from "../support/fixtures";

describe("audit log: queries, isolation, retention", () => {
  let app: TTestAppDb;
  let teamA: string;
  let teamB: string;
  const f = (raw: Record<string, string>) => ZAuditFilterSchema.parse(raw);

  beforeAll(async () => {
    app = await createAppDatabase();
    const a = await createTeamWithUser(app.db, "owner", "alice@example.com");
    const b = await createTeamWithUser(app.db, "owner", "bob@example.com");
    teamA = a.team.id;
    teamB = b.team.id;
    const alice = { teamId: teamA, userId: a.user.id, email: "alice@example.com", ipAddress: "192.0.2.10" };
    await recordAudit(app.db, alice, { action: "invitation.created", objectType: "invitation", objectId: "inv-1", details: { role: "viewer" } });
    await recordAudit(app.db, alice, { action: "member.role_changed", objectType: "membership", objectId: "u-2", details: { email: "carol@example.com", from: "viewer", to: "member" } });
    await recordAudit(app.db, alice, { action: "integration.updated", objectType: "integration", objectId: "i-9", details: { name: "Sales DB", password: "hunter2-secret" } });
    await recordAudit(app.db, { teamId: teamB, userId: b.user.id, email: "bob@example.com" }, { action: "member.role_changed", objectType: "membership", objectId: "u-b" });
    // Events from 400 and 100 days ago, for retention and date filters.
    await app.db.execute(sql`INSERT INTO audit_events (team_id, actor_email, action, object_type, created_at) VALUES
      (${teamA}, 'old@example.com', 'integration.created', 'integration', now() - interval '400 days'),
      (${teamA}, 'mid@example.com', 'integration.created', 'integration', now() - interval '100 days')`);
  });
  afterAll(async () => app?.close());

  it("lists only the team's events, newest first, with who, what, object, when and address", async () => {
    const { events } = await listAuditEvents(app.db, teamA, f({}));
    expect(events.map((e) => e.action)).toEqual(["integration.updated", "member.role_changed", "invitation.created", "integration.created", "integration.created"]);
    expect(events[0]).toMatchObject({ actorEmail: "alice@example.com", objectType: "integration", objectId: "i-9", ipAddress: "192.0.2.10" });
    expect(events.every((e) => e.teamId === teamA)).toBe(true);
    expect((await listAuditEvents(app.db, teamB, f({}))).events.map((e) => e.objectId)).toEqual(["u-b"]);
  });

  it("never stores a secret passed in details", async () => {
    const { events } = await listAuditEvents(app.db, teamA, f({ action: "integration.updated" }));
    expect(events[0]!.details).toEqual({ name: "Sales DB", password: "[redacted]" });
    expect(JSON.stringify(await app.db.select().from(auditEvents))).not.toContain("hunter2-secret");
  });

  it("filters by who, action, object type, object (id or details) and UTC days, and pages", async () => {
    const actions = async (raw: Record<string, string>) => (await listAuditEvents(app.db, teamA, f(raw))).events.map((e) => e.action);
    expect(await actions({ actor: "ALICE" })).toHaveLength(3);
    expect(await actions({ action: "member.role_changed" })).toEqual(["member.role_changed"]);
    expect(await actions({ objectType: "invitation" })).toEqual(["invitation.created"]);
    expect(await actions({ object: "carol@" })).toEqual(["member.role_changed"]);
    expect(await actions({ object: "i-9" })).toEqual(["integration.updated"]);
    expect(await actions({ object: "%" })).toEqual([]);
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    expect((await listAuditEvents(app.db, teamA, f({ from: day(101), to: day(99) }))).events.map((e) => e.actorEmail)).toEqual(["mid@example.com"]);
    expect(await actions({ from: day(0) })).toHaveLength(3);
    const page1 = await listAuditEvents(app.db, teamA, f({}), 2);
    const page3 = await listAuditEvents(app.db, teamA, f({ page: "3" }), 2);
    expect(page1.hasMore).toBe(true);
    expect(page3).toMatchObject({ hasMore: false });
    expect(page3.events).toHaveLength(1);
    expect(ZAuditFilterSchema.safeParse({ from: "yesterday" }).success).toBe(false);
    expect(await listAuditFacets(app.db, teamB)).toEqual({ actions: ["member.role_changed"], objectTypes: ["membership"] });
  });

  it("deletes events older than a year and keeps the rest", async () => {
    expect(await deleteExpiredAuditEvents(app.db)).toBe(1);
    const left = (await listAuditEvents(app.db, teamA, f({}))).events.map((e) => e.actorEmail);
    expect(left).not.toContain("old@example.com");
    expect(left).toContain("mid@example.com");
    expect(await deleteExpiredAuditEvents(app.db)).toBe(0);
  });
});
