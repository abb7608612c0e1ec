/**
 * Finding 12 of issue 21: sign-in success, failure and lockout are audited in the account's team; the
 * audit log redacts secret fields by name and keeps facts such as passwordChanged. SSH key pair
 * creation, the schedule set at creation, prerequisite re-runs and the publication made beside a slot
 * are audited, and a change and its audit event commit together: when the audit insert fails (a trigger
 * refuses it here), the change is not made.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { and, asc, eq, sql } from "drizzle-orm";
import { auditEvents, catalogTables, destinations, integrations, jobRuns, tableSelections, teamSshKeys } from "@/db/schema";
import { runActionAs } from "@/lib/server/authed-action";
import * as destinationActions from "@/lib/destination/actions";
import * as selectionActions from "@/lib/selection/actions";
import { recordAudit } from "@/lib/audit/record";
import { authenticate } from "@/lib/auth/accounts";
import { createIntegration } from "@/lib/integrations/create-integration";
import { createReplicationSlot, rerunPrerequisiteReport } from "@/lib/integrations/update-prerequisites";
import { startQueue } from "@/lib/jobs/queue";
import { ZOptionalScheduleInputSchema } from "@/lib/schedule/options";
import { runExtractionNow, stopExtraction } from "@/lib/schedule/save";
import { ensureTeamSshKey, fingerprintOf } from "@/lib/source/ssh-keys";
import { createAppDatabase, createEmptyDatabase, type TTestAppDb } from "../support/databases";
import { createIntegration as insertIntegration, createTeamWithUser } from "../support/fixtures";
import { connectionParts } from "../support/url";

vi.mock("server-only", () => ({}));

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

describe("audit of setup actions, and audit events in the change's transaction", () => {
  let app: TTestAppDb;
  let src: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let owner: Awaited<ReturnType<typeof createTeamWithUser>>;
  const actor = () => ({ teamId: owner.team.id, userId: owner.user.id, email: owner.user.email, ipAddress: "203.0.113.9" });
  const session = () => ({ user: { id: owner.user.id, email: owner.user.email, name: null }, team: { id: owner.team.id, name: owner.team.name }, role: "owner" as const });
  const eventsOf = (action: string) => app.db.select().from(auditEvents).where(and(eq(auditEvents.teamId, owner.team.id), eq(auditEvents.action, action))).orderBy(asc(auditEvents.id));
  /** Makes the audit insert of one action fail, as a full disk or a bug would. */
  const refuseAudit = (action: string) =>
    app.db.execute(
      sql.raw(`CREATE OR REPLACE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.action = '${action}' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$;
        DROP TRIGGER IF EXISTS refuse_audit ON audit_events; CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_audit();`),
    );
  const allowAudit = () => app.db.execute(sql`DROP TRIGGER IF EXISTS refuse_audit ON audit_events`);

  beforeAll(async () => {
    app = await createAppDatabase();
    src = await createEmptyDatabase("pg15", "audit_src");
    owner = await createTeamWithUser(app.db, "owner");
  });
  afterAll(async () => {
    await app?.close();
    await src?.drop();
  });

  it("the team's SSH key pair is audited once, with its fingerprint, as the user who needed it", async () => {
    const { publicKey } = await ensureTeamSshKey(app.db, owner.team.id, actor());
    await ensureTeamSshKey(app.db, owner.team.id, actor());
    const events = await eventsOf("ssh_key.created");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorUserId: owner.user.id, ipAddress: "203.0.113.9", details: { fingerprint: fingerprintOf(publicKey) } });
    expect(JSON.stringify(events[0]!.details)).not.toContain("PRIVATE KEY");
  });

  it("Check and Save stores the form's schedule in the new row and audits it with the integration", async () => {
    const p = connectionParts(src.url);
    const schedule = ZOptionalScheduleInputSchema.parse({ scheduleType: "cron", cronExpression: "0 0 3 * * ?" });
    const r = await createIntegration(app.db, actor(), {
      flavour: "postgres", name: "Audited Source", password: p.password, includeSchemaNames: false, logBased: true,
      host: p.host, port: p.port, username: p.user, database: p.database, sshEnabled: false, sshHost: null, sshPort: 22, sshUser: null, sslMode: "disable", sslCa: null,
    }, schedule);
    if (!r.saved) throw new Error(r.diagnosis.failure?.message);
    const [row] = await app.db.select().from(integrations).where(eq(integrations.id, r.id));
    expect(row).toMatchObject({ scheduleMode: "cron", cronExpression: "0 0 3 * * ?" });
    expect(row!.nextRunAt).toBeInstanceOf(Date);
    const [created] = await eventsOf("integration.create");
    expect(created!.details).toMatchObject({ name: "Audited Source", schedule: expect.stringContaining("0 0 3 * * ?") });
  });

  it("a prerequisite re-run is audited with what it found", async () => {
    const [row] = await app.db.select().from(integrations).where(eq(integrations.teamId, owner.team.id));
    await rerunPrerequisiteReport(app.db, actor(), row!.id);
    const [rerun] = await eventsOf("integration.prerequisites_rerun");
    expect(rerun!.details).toMatchObject({ name: "Audited Source", report: { connected: true, failedStep: null, failing: expect.any(Array) } });
  });

  it("creating a pgoutput slot audits the publication made beside it", async () => {
    const [row] = await app.db.select().from(integrations).where(eq(integrations.teamId, owner.team.id));
    await createReplicationSlot(app.db, actor(), row!.id, "pgoutput");
    const [slot] = await eventsOf("integration.slot_create");
    expect(slot!.details).toMatchObject({ plugin: "pgoutput", slot: expect.any(String), publication: { created: true, publication: expect.any(String) } });
  });

  it("a selection change whose audit insert fails is not made", async () => {
    const integration = await insertIntegration(app.db, owner.team.id, { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "src" });
    const tableKey = `"src"."public"."orders"`;
    await app.db.insert(catalogTables).values({
      integrationId: integration.id, tableKey, database: "src", schema: "public", name: "orders", kind: "table", rowEstimate: 1,
      columns: [{ name: "id", type: "integer", baseType: "integer", nullable: false, primaryKey: true, supported: true, readable: true }],
    });
    const input = { integrationId: integration.id, tableKey, tracked: true };
    await refuseAudit("selection.track");
    try {
      expect(await runActionAs(selectionActions.setTrackedAction, session(), input, { db: app.db })).toMatchObject({ ok: false });
      expect(await app.db.select().from(tableSelections).where(eq(tableSelections.integrationId, integration.id))).toEqual([]);
    } finally {
      await allowAudit();
    }
    expect(await runActionAs(selectionActions.setTrackedAction, session(), input, { db: app.db })).toMatchObject({ ok: true });
    expect(await app.db.select().from(tableSelections).where(eq(tableSelections.integrationId, integration.id))).toHaveLength(1);
    expect(await eventsOf("selection.track")).toHaveLength(1);
  });

  it("a destination save whose audit insert fails leaves no destination; SSH key likewise", async () => {
    const u = new URL(inject("embeddedUrl"));
    const form = { host: u.hostname, port: u.port, username: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: "postgres" };
    await refuseAudit("destination.created");
    try {
      expect(await runActionAs(destinationActions.updateDestinationAction, session(), form, { db: app.db })).toMatchObject({ ok: false });
      expect(await app.db.select().from(destinations).where(eq(destinations.teamId, owner.team.id))).toEqual([]);
    } finally {
      await allowAudit();
    }
    const other = await createTeamWithUser(app.db);
    await refuseAudit("ssh_key.created");
    try {
      await expect(ensureTeamSshKey(app.db, other.team.id)).rejects.toThrow(/insert into "audit_events"/);
      expect(await app.db.select().from(teamSshKeys).where(eq(teamSshKeys.teamId, other.team.id))).toEqual([]);
    } finally {
      await allowAudit();
    }
  });

  it("Run Extraction Now and Stop Extraction whose audit insert fails start and stop nothing", async () => {
    const integration = await insertIntegration(app.db, owner.team.id, { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "src" });
    const state = { tracked: true, columns: ["id"], method: "full_table" as const, replicationKey: [], viewKeyColumns: [] };
    await app.db.insert(tableSelections).values({ integrationId: integration.id, tableKey: `"src"."public"."t"`, finalized: state, finalizedAt: new Date() });
    const boss = await startQueue(app.url, { supervise: false });
    const runsOf = () => app.db.select().from(jobRuns).where(eq(jobRuns.integrationId, integration.id));
    const queued = async () => Number((await app.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM pgboss.job WHERE singleton_key = ${integration.id}`)).rows[0]!.n);
    try {
      await refuseAudit("job.run_now");
      try {
        await expect(runExtractionNow(app.db, boss, actor(), integration.id)).rejects.toThrow(/insert into "audit_events"/);
      } finally {
        await allowAudit();
      }
      expect(await runsOf()).toEqual([]);
      expect(await queued()).toBe(0);
      const { jobRunId } = await runExtractionNow(app.db, boss, actor(), integration.id);
      expect(await queued()).toBe(1);
      expect((await eventsOf("job.run_now")).map((e) => e.details)).toEqual([expect.objectContaining({ jobRunId })]);

      await refuseAudit("job.stop_requested");
      try {
        await expect(stopExtraction(app.db, boss, actor(), integration.id)).rejects.toThrow(/insert into "audit_events"/);
      } finally {
        await allowAudit();
      }
      expect((await runsOf()).map((r) => r.status)).toEqual(["queued"]);
      await stopExtraction(app.db, boss, actor(), integration.id);
      expect((await runsOf()).map((r) => r.status)).toEqual(["stopped"]);
      expect(await eventsOf("job.stop_requested")).toHaveLength(1);
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
  });
});
