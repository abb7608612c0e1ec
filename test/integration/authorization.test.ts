/**
 * Roles × server actions, on the server: every action made with authedAction is called directly (not
 * through the UI) as each role of one team, and as an Owner of another team against this team's objects.
 *
 * HOW TO ADD YOUR ACTION: add an entry to CASES below (one per exported action of lib/*\/actions.ts).
 * - `minRole`: the lowest role that may do it (the test also checks the action really declares it).
 * - `input(world, team, role)`: a valid input acting on `team`'s own objects; it may create what it needs
 *   (it is called once per allowed role, so things it consumes must be made fresh each time).
 * - `foreignInput(world, own, other)`: an input naming `other` team's object while signed in to `own`;
 *   it must be refused (any object-taking action needs one). `foreignUnchanged` can then prove nothing
 *   of the other team changed.
 * - `allowed(result)`: optional, for actions whose success needs things a test cannot give (default:
 *   result.ok === true).
 * The last tests fail when an exported action or route handler has no case, naming it.
 *
 * Route handlers (app/**\/route.ts, made with authedRoute from app/_server/route.ts) go in ROUTE_CASES
 * the same way: `request(world, team)` returns the Request and the route params for `team`'s own
 * object; `foreignRequest` names another team's object and must get 404.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { auditEvents, extractionLogLines, invitations, memberships, teamSshKeys, users, type TIntegration, type TRole } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import type { TSessionContext } from "@/lib/auth/accounts";
import { seal } from "@/lib/crypto";
import { generateSshKeyPair } from "@/lib/source/ssh-keys";
import { hashInvitationToken } from "@/lib/auth/accounts";
import { requiredRoleOf, runActionAs, type TActionResult } from "@/lib/server/authed-action";
import { authedRoute, requiredRoleOfRoute, runRouteAs } from "@/app/_server/route";
import { getIntegration } from "@/lib/integrations/get";
import * as teamActions from "@/lib/team/actions";
import * as accountActions from "@/lib/account/actions";
import * as selectionActions from "@/lib/selection/actions";
import * as destinationActions from "@/lib/destination/actions";
import { catalogTables, tableSelections } from "@/db/schema";
import * as scheduleActions from "@/lib/schedule/actions";
import * as jobActions from "@/lib/jobs/actions";
import * as dashboardRoute from "@/app/api/dashboard/route";
import * as integrationStateRoute from "@/app/api/integrations/[id]/state/route";
import * as integrationJobsRoute from "@/app/api/integrations/[id]/jobs/route";
import * as jobLogRoute from "@/app/api/jobs/[jobId]/log/route";
import * as jobDownloadRoute from "@/app/api/jobs/[jobId]/download/route";
import * as integrationActions from "@/lib/integrations/actions";
import { integrations as integrationsTable, jobRuns } from "@/db/schema";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createIntegration } from "../support/fixtures";

// The marker package only allows server imports inside Next's server bundle; here we are the server.
vi.mock("server-only", () => ({}));

type TAction = (input: unknown) => Promise<TActionResult<unknown>>;

const ROLES: TRole[] = ["viewer", "member", "admin", "owner"];
const RANK: Record<TRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
const PASSWORD = "test-password-1";

type TTeamFixture = {
  teamId: string;
  sessions: Record<TRole, TSessionContext>;
  integration: TIntegration;
  /** Plain-text secrets stored (sealed) for this team: they must never come back. */
  secrets: string[];
};
type TWorld = { app: TTestAppDb; a: TTeamFixture; b: TTeamFixture };

type TAuthzCase = {
  /** "<file>#<export>" of the action, e.g. "lib/team/actions.ts#inviteMemberAction". */
  id: string;
  /** A variant of the same action (e.g. "make Owner"); omit for the plain case. */
  variant?: string;
  action: TAction;
  minRole: TRole;
  input: (w: TWorld, team: TTeamFixture, role: TRole) => Promise<unknown>;
  foreignInput?: (w: TWorld, own: TTeamFixture, other: TTeamFixture) => Promise<unknown>;
  foreignUnchanged?: (w: TWorld, other: TTeamFixture) => Promise<void>;
  allowed?: (res: TActionResult<unknown>) => void;
};

// ---------- helpers for inputs ----------

let counter = 0;
async function addMember(w: TWorld, teamId: string, role: TRole): Promise<{ id: string; email: string }> {
  const email = `m${++counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const [user] = await w.app.db.insert(users).values({ email, passwordHash: await hashPassword(PASSWORD) }).returning();
  await w.app.db.insert(memberships).values({ teamId, userId: user!.id, role });
  return { id: user!.id, email };
}

async function addInvitation(w: TWorld, teamId: string, role: TRole = "viewer"): Promise<string> {
  const [row] = await w.app.db
    .insert(invitations)
    .values({ teamId, role, tokenHash: hashInvitationToken(`tok-${++counter}-${Math.random()}`), expiresAt: new Date(Date.now() + 86_400_000) })
    .returning({ id: invitations.id });
  return row!.id;
}

async function membershipOf(w: TWorld, teamId: string, userId: string) {
  const [m] = await w.app.db.select().from(memberships).where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
  return m;
}

// ---------- the registry ----------

const TEAM = "lib/team/actions.ts";
const ACCOUNT = "lib/account/actions.ts";

/** Remembered by foreign inputs, checked by foreignUnchanged. */
const foreignTargets = new Map<string, string>();

const CASES: TAuthzCase[] = [
  {
    id: `${TEAM}#inviteMemberAction`,
    action: teamActions.inviteMemberAction,
    minRole: "admin",
    input: async () => ({ role: "viewer" }),
  },
  {
    id: `${TEAM}#inviteMemberAction`,
    variant: "invite an Owner",
    action: teamActions.inviteMemberAction,
    minRole: "owner",
    input: async () => ({ role: "owner" }),
  },
  {
    id: `${TEAM}#revokeInvitationAction`,
    action: teamActions.revokeInvitationAction,
    minRole: "admin",
    input: async (w, team) => ({ invitationId: await addInvitation(w, team.teamId) }),
    foreignInput: async (w, _own, other) => {
      const id = await addInvitation(w, other.teamId);
      foreignTargets.set("invitation", id);
      return { invitationId: id };
    },
    foreignUnchanged: async (w) => {
      const [row] = await w.app.db.select().from(invitations).where(eq(invitations.id, foreignTargets.get("invitation")!));
      expect(row?.revokedAt).toBeNull();
    },
  },
  {
    id: `${TEAM}#changeMemberRoleAction`,
    action: teamActions.changeMemberRoleAction,
    minRole: "admin",
    input: async (w, team) => ({ userId: (await addMember(w, team.teamId, "viewer")).id, role: "member" }),
    foreignInput: async (w, _own, other) => {
      const m = await addMember(w, other.teamId, "viewer");
      foreignTargets.set("roleTarget", m.id);
      return { userId: m.id, role: "admin" };
    },
    foreignUnchanged: async (w, other) => {
      expect((await membershipOf(w, other.teamId, foreignTargets.get("roleTarget")!))?.role).toBe("viewer");
    },
  },
  {
    id: `${TEAM}#changeMemberRoleAction`,
    variant: "make someone Owner",
    action: teamActions.changeMemberRoleAction,
    minRole: "owner",
    input: async (w, team) => ({ userId: (await addMember(w, team.teamId, "member")).id, role: "owner" }),
  },
  {
    id: `${TEAM}#changeMemberRoleAction`,
    variant: "demote an Owner",
    action: teamActions.changeMemberRoleAction,
    minRole: "owner",
    input: async (w, team) => ({ userId: (await addMember(w, team.teamId, "owner")).id, role: "admin" }),
  },
  {
    id: `${TEAM}#removeMemberAction`,
    action: teamActions.removeMemberAction,
    minRole: "admin",
    input: async (w, team) => ({ userId: (await addMember(w, team.teamId, "viewer")).id }),
    foreignInput: async (w, _own, other) => {
      const m = await addMember(w, other.teamId, "viewer");
      foreignTargets.set("removeTarget", m.id);
      return { userId: m.id };
    },
    foreignUnchanged: async (w, other) => {
      expect(await membershipOf(w, other.teamId, foreignTargets.get("removeTarget")!)).toBeDefined();
    },
  },
  {
    id: `${TEAM}#removeMemberAction`,
    variant: "remove an Owner",
    action: teamActions.removeMemberAction,
    minRole: "owner",
    input: async (w, team) => ({ userId: (await addMember(w, team.teamId, "owner")).id }),
  },
  {
    id: `${ACCOUNT}#changePasswordAction`,
    action: accountActions.changePasswordAction,
    minRole: "viewer",
    input: async () => ({ currentPassword: PASSWORD, newPassword: `new-password-${++counter}x`, confirmPassword: `new-password-${counter}x` }),
  },
  {
    id: `${ACCOUNT}#signOutEverywhereAction`,
    action: accountActions.signOutEverywhereAction,
    minRole: "viewer",
    input: async () => ({}),
  },
  // ---------- Destination (lib/destination/actions.ts) ----------
  {
    id: "lib/destination/actions.ts#updateDestinationAction",
    action: destinationActions.updateDestinationAction,
    minRole: "admin",
    // A real server: the action tests the connection and privileges, and saves only what passes.
    input: async () => {
      const u = new URL(inject("embeddedUrl"));
      return { host: u.hostname, port: u.port, username: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: "postgres" };
    },
    allowed: (res) => expect(res, JSON.stringify(res)).toMatchObject({ ok: true, data: { saved: true, check: { ok: true } } }),
  },
];

// ---------- Tables to Replicate (lib/selection/actions.ts) ----------

const SEL = "lib/selection/actions.ts";

/** A discovered table of the integration (fresh per call), optionally already tracked and finalized. */
async function addCatalogTable(w: TWorld, integrationId: string, finalized = false): Promise<string> {
  const name = `t${++counter}`;
  const tableKey = `"src"."public"."${name}"`;
  await w.app.db.insert(catalogTables).values({
    integrationId,
    tableKey,
    database: "src",
    schema: "public",
    name,
    kind: "table",
    rowEstimate: 10,
    columns: [
      { name: "id", type: "integer", baseType: "integer", nullable: false, primaryKey: true, supported: true, readable: true },
      { name: "note", type: "text", baseType: "text", nullable: true, primaryKey: false, supported: true, readable: true },
    ],
  });
  const state = { tracked: true, columns: ["id", "note"], method: "full_table" as const, replicationKey: [], viewKeyColumns: [] };
  if (finalized) await w.app.db.insert(tableSelections).values({ integrationId, tableKey, finalized: state, finalizedAt: new Date() });
  return tableKey;
}

async function noSelectionsOf(w: TWorld, other: TTeamFixture) {
  expect(await w.app.db.select().from(tableSelections).where(eq(tableSelections.integrationId, other.integration.id))).toEqual([]);
}

const foreignIntegration = async (_w: TWorld, _own: TTeamFixture, other: TTeamFixture) => ({ integrationId: other.integration.id });

CASES.push(
  {
    id: `${SEL}#listTablesAction`,
    action: selectionActions.listTablesAction,
    minRole: "viewer",
    input: async (_w, team) => ({ integrationId: team.integration.id, page: 0 }),
    foreignInput: async (_w, _own, other) => ({ integrationId: other.integration.id, page: 0 }),
  },
  {
    id: `${SEL}#catalogTreeAction`,
    action: selectionActions.catalogTreeAction,
    minRole: "viewer",
    input: async (_w, team) => ({ integrationId: team.integration.id }),
    foreignInput: foreignIntegration,
  },
  {
    id: `${SEL}#refreshCatalogAction`,
    action: selectionActions.refreshCatalogAction,
    minRole: "member",
    input: async (_w, team) => ({ integrationId: team.integration.id }),
    // The fixture's source is unreachable: allowed roles get as far as discovery, which says why it failed.
    allowed: (res) => expect(res.ok ? "" : res.error).toMatch(/Discovery could not read the source/),
    foreignInput: foreignIntegration,
  },
  {
    id: `${SEL}#setTrackedAction`,
    action: selectionActions.setTrackedAction,
    minRole: "member",
    input: async (w, team) => ({ integrationId: team.integration.id, tableKey: await addCatalogTable(w, team.integration.id), tracked: true }),
    foreignInput: async (w, _own, other) => ({ integrationId: other.integration.id, tableKey: await addCatalogTable(w, other.integration.id), tracked: true }),
    foreignUnchanged: noSelectionsOf,
  },
  {
    id: `${SEL}#setColumnAction`,
    action: selectionActions.setColumnAction,
    minRole: "member",
    input: async (w, team) => ({ integrationId: team.integration.id, tableKey: await addCatalogTable(w, team.integration.id, true), column: "note", selected: false }),
    foreignInput: async (w, _own, other) => ({ integrationId: other.integration.id, tableKey: await addCatalogTable(w, other.integration.id), column: "note", selected: false }),
    foreignUnchanged: noSelectionsOf,
  },
  {
    id: `${SEL}#updateSettingsAction`,
    action: selectionActions.updateSettingsAction,
    minRole: "member",
    input: async (w, team) => ({ integrationId: team.integration.id, tableKey: await addCatalogTable(w, team.integration.id, true), method: "key_based", replicationKey: ["id"], viewKeyColumns: [] }),
    foreignInput: async (w, _own, other) => ({ integrationId: other.integration.id, tableKey: await addCatalogTable(w, other.integration.id), method: "full_table", replicationKey: [], viewKeyColumns: [] }),
    foreignUnchanged: noSelectionsOf,
  },
  {
    id: `${SEL}#resetKeysAction`,
    action: selectionActions.resetKeysAction,
    minRole: "member",
    input: async (w, team) => ({ integrationId: team.integration.id, tableKey: await addCatalogTable(w, team.integration.id, true) }),
    foreignInput: async (w, _own, other) => ({ integrationId: other.integration.id, tableKey: await addCatalogTable(w, other.integration.id) }),
    foreignUnchanged: noSelectionsOf,
  },
  {
    id: `${SEL}#trackAllAction`,
    action: selectionActions.trackAllAction,
    minRole: "member",
    input: async (w, team) => {
      await addCatalogTable(w, team.integration.id);
      return { integrationId: team.integration.id };
    },
    foreignInput: foreignIntegration,
    foreignUnchanged: noSelectionsOf,
  },
  {
    id: `${SEL}#finalizeAction`,
    action: selectionActions.finalizeAction,
    minRole: "member",
    input: async (_w, team) => ({ integrationId: team.integration.id }),
    foreignInput: foreignIntegration,
  },
  {
    id: `${SEL}#cancelAction`,
    action: selectionActions.cancelAction,
    minRole: "member",
    input: async (_w, team) => ({ integrationId: team.integration.id }),
    foreignInput: foreignIntegration,
  },
);

// ---------- Schedule and job controls (lib/{schedule,jobs}/actions.ts) ----------

const SCHED = "lib/schedule/actions.ts";
const JOBS = "lib/jobs/actions.ts";

/** A fresh integration of the team with one finalized tracked table (Run/Stop need one of their own per call). */
async function freshTrackedIntegration(w: TWorld, teamId: string): Promise<string> {
  const row = await createIntegration(w.app.db, teamId, { host: "127.0.0.1", port: 1, user: "nobody", password: "x", database: "nowhere" }, { name: `Jobs ${++counter} ${Math.random().toString(36).slice(2, 6)}` });
  await addCatalogTable(w, row.id, true);
  return row.id;
}

async function runningJobOf(w: TWorld, teamId: string, integrationId: string): Promise<string> {
  const [run] = await w.app.db.insert(jobRuns).values({ teamId, integrationId, trigger: "manual", status: "running", startedAt: new Date() }).returning({ id: jobRuns.id });
  return run!.id;
}

async function integrationUnchanged(w: TWorld, other: TTeamFixture) {
  const [row] = await w.app.db.select().from(integrationsTable).where(eq(integrationsTable.id, other.integration.id));
  expect({ paused: row!.paused, scheduleMode: row!.scheduleMode, cron: row!.cronExpression }).toEqual({ paused: false, scheduleMode: "frequency", cron: null });
  expect(await w.app.db.select().from(jobRuns).where(and(eq(jobRuns.integrationId, other.integration.id), eq(jobRuns.trigger, "manual")))).toEqual([]);
}

CASES.push(
  {
    id: `${SCHED}#previewScheduleAction`,
    action: scheduleActions.previewScheduleAction,
    minRole: "viewer",
    input: async (_w, team) => ({ integrationId: team.integration.id, scheduleType: "cron", frequencyMinutes: "60", cronExpression: "0 0 2 * * ?" }),
    foreignInput: async (_w, _own, other) => ({ integrationId: other.integration.id, scheduleType: "interval", frequencyMinutes: "60" }),
  },
  {
    id: `${SCHED}#saveScheduleAction`,
    action: scheduleActions.saveScheduleAction,
    minRole: "member",
    input: async (_w, team) => ({ integrationId: team.integration.id, scheduleType: "interval", frequencyMinutes: "360", anchorTime: "01:30" }),
    foreignInput: async (_w, _own, other) => ({ integrationId: other.integration.id, scheduleType: "cron", frequencyMinutes: "60", cronExpression: "0 0 2 * * ?" }),
    foreignUnchanged: integrationUnchanged,
  },
  {
    id: `${JOBS}#pauseIntegrationAction`,
    action: jobActions.pauseIntegrationAction,
    minRole: "member",
    input: async (w, team) => ({ integrationId: await freshTrackedIntegration(w, team.teamId) }),
    foreignInput: foreignIntegration,
    foreignUnchanged: integrationUnchanged,
  },
  {
    id: `${JOBS}#unpauseIntegrationAction`,
    action: jobActions.unpauseIntegrationAction,
    minRole: "member",
    input: async (w, team) => {
      const id = await freshTrackedIntegration(w, team.teamId);
      await w.app.db.update(integrationsTable).set({ paused: true }).where(eq(integrationsTable.id, id));
      return { integrationId: id };
    },
    foreignInput: foreignIntegration,
    foreignUnchanged: integrationUnchanged,
  },
  {
    id: `${JOBS}#runExtractionNowAction`,
    action: jobActions.runExtractionNowAction,
    minRole: "member",
    input: async (w, team) => {
      // The action sends through the web process's queue handle, which reads DATABASE_URL.
      process.env.DATABASE_URL = w.app.url;
      return { integrationId: await freshTrackedIntegration(w, team.teamId) };
    },
    foreignInput: foreignIntegration,
    foreignUnchanged: integrationUnchanged,
  },
  // Verify and Repair: Members and up start them; Viewers only read the verdicts.
  ...(["verifyNowAction", "repairNowAction"] as const).map(
    (name): TAuthzCase => ({
      id: `${JOBS}#${name}`,
      action: jobActions[name],
      minRole: "member",
      input: async (w, team) => {
        process.env.DATABASE_URL = w.app.url;
        return { integrationId: await freshTrackedIntegration(w, team.teamId) };
      },
      foreignInput: foreignIntegration,
      foreignUnchanged: integrationUnchanged,
    }),
  ),
  {
    id: `${JOBS}#stopExtractionAction`,
    action: jobActions.stopExtractionAction,
    minRole: "member",
    input: async (w, team) => {
      const id = await freshTrackedIntegration(w, team.teamId);
      await runningJobOf(w, team.teamId, id);
      return { integrationId: id };
    },
    foreignInput: async (w, _own, other) => {
      const id = await runningJobOf(w, other.teamId, other.integration.id);
      foreignTargets.set("stop", id);
      return { integrationId: other.integration.id };
    },
    foreignUnchanged: async (w) => {
      const [run] = await w.app.db.select().from(jobRuns).where(eq(jobRuns.id, foreignTargets.get("stop")!));
      expect(run!.stopRequestedAt).toBeNull();
      await w.app.db.update(jobRuns).set({ status: "failed", finishedAt: new Date() }).where(eq(jobRuns.id, run!.id));
    },
  },
);

// ---------- Add Integration and Settings (lib/integrations/actions.ts) ----------

const NEW = "lib/integrations/actions.ts";
const SETTINGS = NEW;
/** Typed into connection forms below: like stored passwords, it must never come back in a response or log. */
const TYPED_SOURCE_PASSWORD = "typed-source-password-7c1e";

/**
 * The fixtures' sources are unreachable (127.0.0.1:1): allowed roles get past authorization to the
 * connection checks, which report the failure as a result or an error that is not a role refusal.
 */
const notRefused = (res: TActionResult<unknown>) => expect(res.ok ? "" : res.error).not.toMatch(REFUSED);
const connectionFields = { host: "127.0.0.1", port: "1", username: "nobody", database: "nowhere" };

CASES.push(
  {
    id: `${NEW}#checkAndSaveAction`,
    action: integrationActions.checkAndSaveAction,
    minRole: "member",
    input: async () => ({ flavour: "postgres", name: `Checked ${++counter}`, password: TYPED_SOURCE_PASSWORD, ...connectionFields }),
    // Nothing is saved for a connection that does not work.
    allowed: (res) => expect(res).toMatchObject({ ok: true, data: { saved: false } }),
  },
  {
    id: `${NEW}#teamPublicKeyAction`,
    action: integrationActions.teamPublicKeyAction,
    minRole: "member",
    input: async () => ({}),
    allowed: (res) => expect(res).toMatchObject({ ok: true, data: { publicKey: expect.stringMatching(/^ssh-ed25519 /) } }),
  },
  {
    id: `${SETTINGS}#updateIntegrationAction`,
    action: integrationActions.updateIntegrationAction,
    minRole: "member",
    input: async (_w, team) => ({ id: team.integration.id, password: TYPED_SOURCE_PASSWORD, ...connectionFields }),
    allowed: notRefused,
    foreignInput: async (_w, _own, other) => ({ id: other.integration.id, password: TYPED_SOURCE_PASSWORD, ...connectionFields, host: "attacker.example" }),
    foreignUnchanged: async (w, other) => {
      const [row] = await w.app.db.select().from(integrationsTable).where(eq(integrationsTable.id, other.integration.id));
      expect(row).toMatchObject({ host: other.integration.host, passwordEnc: other.integration.passwordEnc });
    },
  },
  {
    id: `${SETTINGS}#rerunReportAction`,
    action: integrationActions.rerunReportAction,
    minRole: "member",
    input: async (_w, team) => ({ id: team.integration.id }),
    allowed: notRefused,
    foreignInput: async (_w, _own, other) => ({ id: other.integration.id }),
  },
  {
    id: `${SETTINGS}#createSlotAction`,
    action: integrationActions.createSlotAction,
    minRole: "member",
    input: async (_w, team) => ({ id: team.integration.id, plugin: "pgoutput" }),
    allowed: notRefused,
    foreignInput: async (_w, _own, other) => ({ id: other.integration.id, plugin: "pgoutput" }),
  },
  {
    id: `${SETTINGS}#createPublicationAction`,
    action: integrationActions.createPublicationAction,
    minRole: "member",
    input: async (_w, team) => ({ id: team.integration.id }),
    allowed: notRefused,
    foreignInput: async (_w, _own, other) => ({ id: other.integration.id }),
  },
  {
    id: `${SETTINGS}#setVerifyAfterJobAction`,
    action: integrationActions.setVerifyAfterJobAction,
    minRole: "member",
    input: async (_w, team) => ({ id: team.integration.id, verifyAfterJob: true }),
    foreignInput: async (_w, _own, other) => ({ id: other.integration.id, verifyAfterJob: true }),
    foreignUnchanged: async (w, other) => {
      const [row] = await w.app.db.select().from(integrationsTable).where(eq(integrationsTable.id, other.integration.id));
      expect(row?.verifyAfterJob).toBe(false);
    },
  },
  {
    id: `${SETTINGS}#acceptHostKeyAction`,
    action: integrationActions.acceptHostKeyAction,
    minRole: "admin",
    input: async (_w, team) => ({ id: team.integration.id, fingerprint: `SHA256:${"A".repeat(43)}` }),
    // The fixture has no SSH tunnel, so the domain says so; the point here is who gets that far.
    allowed: (res) => expect(res).toMatchObject({ ok: false, error: "This integration does not use an SSH tunnel." }),
    foreignInput: async (_w, _own, other) => ({ id: other.integration.id, fingerprint: `SHA256:${"A".repeat(43)}` }),
    foreignUnchanged: async (w, other) => {
      const [row] = await w.app.db.select().from(integrationsTable).where(eq(integrationsTable.id, other.integration.id));
      expect(row?.sshHostKey).toBe(other.integration.sshHostKey);
    },
  },
);

// ---------- route handlers ----------

type TRouteHandler = (req: Request, segment: { params: Promise<Record<string, string>> }) => Promise<Response>;
type TRouteCase = {
  /** "<file>#<METHOD>", e.g. "app/api/integrations/[id]/logs/[runId]/route.ts#GET". */
  id: string;
  handler: TRouteHandler;
  minRole: TRole;
  request: (w: TWorld, team: TTeamFixture) => Promise<{ req: Request; params: Record<string, string> }>;
  foreignRequest?: (w: TWorld, own: TTeamFixture, other: TTeamFixture) => Promise<{ req: Request; params: Record<string, string> }>;
};

/** The wrapper's own check, with a handler shaped like the real ones (team-filtered lookup by id). */
const sampleRoute = authedRoute<{ id: string }>({ role: "member" }, async (_req, ctx) => {
  const integration = await getIntegration(ctx.db, ctx.team.id, ctx.params.id);
  return new Response(`integration ${integration.name}`);
}) as unknown as TRouteHandler;

const ROUTE_CASES: TRouteCase[] = [
  {
    id: "(authedRoute self-check: a member-level handler reading an integration by id)",
    handler: sampleRoute,
    minRole: "member",
    request: async (_w, team) => ({ req: new Request(`http://test/x/${team.integration.id}`), params: { id: team.integration.id } }),
    foreignRequest: async (_w, _own, other) => ({ req: new Request(`http://test/x/${other.integration.id}`), params: { id: other.integration.id } }),
  },
];

// ---------- route handlers of the dashboard, Extraction Logs and job controls ----------

async function teamJob(w: TWorld, team: TTeamFixture): Promise<string> {
  const [run] = await w.app.db.insert(jobRuns).values({ teamId: team.teamId, integrationId: team.integration.id, trigger: "manual", status: "succeeded", startedAt: new Date(), finishedAt: new Date() }).returning({ id: jobRuns.id });
  await w.app.db.insert(extractionLogLines).values({ jobRunId: run!.id, location: "main", level: "INFO", message: "hello from the log" });
  return run!.id;
}

ROUTE_CASES.push(
  {
    id: "app/api/dashboard/route.ts#GET",
    handler: dashboardRoute.GET as unknown as TRouteHandler,
    minRole: "viewer",
    request: async () => ({ req: new Request("http://test/api/dashboard"), params: {} }),
  },
  {
    id: "app/api/integrations/[id]/state/route.ts#GET",
    handler: integrationStateRoute.GET as unknown as TRouteHandler,
    minRole: "viewer",
    request: async (_w, team) => ({ req: new Request(`http://test/api/integrations/${team.integration.id}/state`), params: { id: team.integration.id } }),
    foreignRequest: async (_w, _own, other) => ({ req: new Request(`http://test/api/integrations/${other.integration.id}/state`), params: { id: other.integration.id } }),
  },
  {
    id: "app/api/integrations/[id]/jobs/route.ts#GET",
    handler: integrationJobsRoute.GET as unknown as TRouteHandler,
    minRole: "viewer",
    request: async (_w, team) => ({ req: new Request(`http://test/api/integrations/${team.integration.id}/jobs`), params: { id: team.integration.id } }),
    foreignRequest: async (_w, _own, other) => ({ req: new Request(`http://test/api/integrations/${other.integration.id}/jobs`), params: { id: other.integration.id } }),
  },
  {
    id: "app/api/jobs/[jobId]/log/route.ts#GET",
    handler: jobLogRoute.GET as unknown as TRouteHandler,
    minRole: "viewer",
    request: async (w, team) => {
      const jobId = await teamJob(w, team);
      return { req: new Request(`http://test/api/jobs/${jobId}/log?after=0&level=INFO&q=hello`), params: { jobId } };
    },
    foreignRequest: async (w, _own, other) => {
      const jobId = await teamJob(w, other);
      return { req: new Request(`http://test/api/jobs/${jobId}/log`), params: { jobId } };
    },
  },
  {
    id: "app/api/jobs/[jobId]/download/route.ts#GET",
    handler: jobDownloadRoute.GET as unknown as TRouteHandler,
    minRole: "viewer",
    request: async (w, team) => {
      const jobId = await teamJob(w, team);
      return { req: new Request(`http://test/api/jobs/${jobId}/download`), params: { jobId } };
    },
    foreignRequest: async (w, _own, other) => {
      const jobId = await teamJob(w, other);
      return { req: new Request(`http://test/api/jobs/${jobId}/download`), params: { jobId } };
    },
  },
);

/** Route files that are public by design (they do their own authentication). */
const PUBLIC_ROUTE_FILES = new Set(["app/api/auth/[...nextauth]/route.ts"]);

/** Exports of lib/*\/actions.ts that are deliberately public (no session): sign-up. */
const PUBLIC_ACTIONS = new Set(["lib/auth/actions.ts#signUpAction"]);

// ---------- the world ----------

async function makeTeam(app: TTestAppDb, label: string): Promise<TTeamFixture> {
  const { teams } = await import("@/db/schema");
  const [team] = await app.db.insert(teams).values({ name: `Team ${label}` }).returning();
  const sessions = {} as Record<TRole, TSessionContext>;
  for (const role of ROLES) {
    const email = `${role}-${label}@example.com`;
    const [user] = await app.db.insert(users).values({ email, passwordHash: await hashPassword(PASSWORD) }).returning();
    await app.db.insert(memberships).values({ teamId: team!.id, userId: user!.id, role });
    sessions[role] = { user: { id: user!.id, email, name: null }, team: { id: team!.id, name: team!.name }, role };
  }
  const sourcePassword = `source-secret-${label}-${Math.random().toString(36).slice(2)}`;
  const integration = await createIntegration(app.db, team!.id, { host: "127.0.0.1", port: 1, user: "nobody", password: sourcePassword, database: "nowhere" }, { name: `Source ${label}` });
  const pair = generateSshKeyPair(`test-${label}`);
  await app.db.insert(teamSshKeys).values({ teamId: team!.id, publicKey: pair.publicKey, privateKeyEnc: seal(pair.privateKey) });
  // The body line of the key is the secret (the armour lines are the same for every key).
  const keyBody = pair.privateKey.split("\n").filter((l) => l && !l.startsWith("-----")).join("");
  return { teamId: team!.id, sessions, integration, secrets: [sourcePassword, keyBody.slice(0, 40), PASSWORD] };
}

function caseName(c: TAuthzCase): string {
  return `${c.id.split("#")[1]}${c.variant ? ` (${c.variant})` : ""}`;
}

const REFUSED = /cannot do this|cannot manage|cannot invite|Only an Owner/;

/** Every file called `name` under `dir` (app or lib), relative to the project root. */
function filesNamed(root: string, dir: string, name: string): string[] {
  return (readdirSync(join(root, dir), { recursive: true }) as string[]).filter((f) => basename(f) === name).map((f) => join(dir, f));
}

describe("authorization: roles × server actions", () => {
  const world = {} as TWorld;
  const responses: string[] = [];
  const logged: string[] = [];

  const call = async (c: TAuthzCase, session: TSessionContext, input: unknown) => {
    const res = await runActionAs(c.action, session, input, { db: world.app.db, ipAddress: "203.0.113.7" });
    responses.push(JSON.stringify(res));
    return res;
  };

  beforeAll(async () => {
    world.app = await createAppDatabase();
    world.a = await makeTeam(world.app, "a");
    world.b = await makeTeam(world.app, "b");
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      const original = console[level].bind(console);
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
        original(...args);
      });
    }
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await world.app?.close();
  });

  for (const c of CASES) {
    describe(caseName(c), () => {
      if (!c.variant) {
        it(`declares ${c.minRole} as its minimum role`, () => {
          expect(requiredRoleOf(c.action)).toBe(c.minRole);
        });
      }
      for (const role of ROLES) {
        const allowed = RANK[role] >= RANK[c.minRole];
        it(`${allowed ? "lets" : "refuses"} a ${role}`, async () => {
          const res = await call(c, world.a.sessions[role], await c.input(world, world.a, role));
          if (allowed) {
            if (c.allowed) c.allowed(res);
            else expect(res, JSON.stringify(res)).toMatchObject({ ok: true });
          } else {
            expect(res.ok).toBe(false);
            expect(res.ok ? "" : res.error).toMatch(REFUSED);
          }
        });
      }
      if (c.foreignInput) {
        it("refuses another team's Owner acting on this team's object", async () => {
          const res = await call(c, world.a.sessions.owner, await c.foreignInput!(world, world.a, world.b));
          expect(res.ok).toBe(false);
          expect(res.ok ? "" : res.error).toMatch(/No such|not found/i);
          await c.foreignUnchanged?.(world, world.b);
        });
      }
    });
  }

  for (const r of ROUTE_CASES) {
    describe(r.id, () => {
      it(`declares ${r.minRole} as its minimum role`, () => expect(requiredRoleOfRoute(r.handler)).toBe(r.minRole));
      for (const role of ROLES) {
        const allowed = RANK[role] >= RANK[r.minRole];
        it(`${allowed ? "answers" : "refuses (403)"} a ${role}`, async () => {
          const { req, params } = await r.request(world, world.a);
          const res = await runRouteAs(r.handler, world.a.sessions[role], req, params, { db: world.app.db });
          responses.push(await res.clone().text());
          if (allowed) expect(res.status, await res.text()).toBeLessThan(400);
          else expect(res.status).toBe(403);
        });
      }
      it("refuses (401) without a session", async () => {
        const { req, params } = await r.request(world, world.a);
        expect((await runRouteAs(r.handler, null, req, params, { db: world.app.db })).status).toBe(401);
      });
      if (r.foreignRequest) {
        it("answers 404 to another team's Owner asking for this team's object", async () => {
          const { req, params } = await r.foreignRequest!(world, world.a, world.b);
          const res = await runRouteAs(r.handler, world.a.sessions.owner, req, params, { db: world.app.db });
          responses.push(await res.clone().text());
          expect(res.status).toBe(404);
        });
      }
    });
  }

  it("refuses every action without a session", async () => {
    for (const c of CASES) {
      const res = await runActionAs(c.action, null, await c.input(world, world.a, "owner"), { db: world.app.db });
      expect(res).toMatchObject({ ok: false, error: "Your session has ended. Sign in again." });
    }
  });

  it("never returns or logs a stored password or private key, nor writes one to the audit or job logs", async () => {
    expect(responses.length).toBeGreaterThan(CASES.length);
    const secrets = [...world.a.secrets, ...world.b.secrets, TYPED_SOURCE_PASSWORD];
    const events = JSON.stringify(await world.app.db.select().from(auditEvents));
    const jobLines = JSON.stringify(await world.app.db.select().from(extractionLogLines));
    const hashes = (await world.app.db.select({ h: users.passwordHash }).from(users)).map((r) => r.h);
    for (const s of [...secrets, ...hashes]) {
      for (const r of responses) expect(r).not.toContain(s);
      for (const l of logged) expect(l).not.toContain(s);
      expect(events).not.toContain(s);
      expect(jobLines).not.toContain(s);
    }
    // The audit log did record the changes (who and from where), so the search above had something to search.
    expect(events).toContain("member.role_changed");
    expect(events).toContain("203.0.113.7");
  });

  it("has a case for every server action in {app,lib}/**/actions.ts", async () => {
    const root = join(__dirname, "../..");
    // Actions belong in lib/<feature>/actions.ts; app/ is scanned too so one left in a route folder is still caught.
    const files = [...filesNamed(root, "app", "actions.ts"), ...filesNamed(root, "lib", "actions.ts")];
    const covered = new Set(CASES.map((c) => c.id));
    const missing: string[] = [];
    for (const file of files) {
      const mod = (await import(/* @vite-ignore */ join(root, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) {
        if (typeof value !== "function") continue;
        const id = `${file}#${name}`;
        if (requiredRoleOf(value) === null) {
          if (!PUBLIC_ACTIONS.has(id)) missing.push(`${id} (not made with authedAction and not listed as public)`);
        } else if (!covered.has(id)) missing.push(id);
      }
    }
    expect(missing, `add these to CASES in test/integration/authorization.test.ts`).toEqual([]);
  });

  it("has a case for every route handler in app/**/route.ts", async () => {
    const root = join(__dirname, "../..");
    const files = filesNamed(root, "app", "route.ts");
    const covered = new Set(ROUTE_CASES.map((c) => c.id));
    const missing: string[] = [];
    for (const file of files.filter((f) => !PUBLIC_ROUTE_FILES.has(f))) {
      const mod = (await import(/* @vite-ignore */ join(root, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) {
        if (!/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(name)) continue;
        const id = `${file}#${name}`;
        if (requiredRoleOfRoute(value) === null) missing.push(`${id} (not made with authedRoute from app/_server/route.ts)`);
        else if (!covered.has(id)) missing.push(id);
      }
    }
    expect(missing, `add these to ROUTE_CASES in test/integration/authorization.test.ts`).toEqual([]);
  });
});
