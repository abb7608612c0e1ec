import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { and, eq } from "drizzle-orm";
import pg from "pg";
import { auditEvents, integrations } from "@/db/schema";
import { connectionFromIntegration } from "@/lib/source/connection";
import { createIntegration } from "@/lib/integrations/create-integration";
import { updateIntegration } from "@/lib/integrations/update-integration";
import type { TCreateIntegrationInput } from "@/lib/integrations/create-input";
import { AppError } from "@/lib/errors";
import { createAppDatabase, createEmptyDatabase, type TTestAppDb } from "../support/databases";
import { createTeamWithUser } from "../support/fixtures";

const USER = `save "user" ö`;
const PW = "s4ve-pw";

describe("Check and Save, and editing in Settings", () => {
  const pg15 = inject("pg15");
  let app: TTestAppDb;
  let src: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let actor: { teamId: string; userId: string; email: string };
  let input: TCreateIntegrationInput;

  beforeAll(async () => {
    app = await createAppDatabase();
    src = await createEmptyDatabase("pg15", "Save Me");
    const c = new pg.Client({ connectionString: pg15.superuserUrl });
    await c.connect();
    await c.query(`DROP ROLE IF EXISTS "save ""user"" ö"; CREATE ROLE "save ""user"" ö" LOGIN PASSWORD '${PW}'`);
    await c.end();
    const { team, user } = await createTeamWithUser(app.db);
    actor = { teamId: team.id, userId: user.id, email: user.email };
    input = {
      flavour: "rds", name: "Stitch PostgreSQL", password: PW, includeSchemaNames: true, logBased: true,
      host: pg15.host, port: pg15.port, username: USER, database: src.name,
      sshEnabled: false, sshHost: null, sshPort: 22, sshUser: null, sslMode: "require", sslCa: null,
    };
  });
  afterAll(async () => {
    await src.drop();
    await app.close();
  });

  it("a failing check saves nothing and names the step", async () => {
    const r = await createIntegration(app.db, actor, { ...input, password: "wrong" });
    expect(r.saved).toBe(false);
    expect(r.diagnosis.failure).toMatchObject({ step: "authentication", message: expect.stringContaining(`password authentication failed for user "${USER}"`) });
    expect(await app.db.select().from(integrations).where(eq(integrations.teamId, actor.teamId))).toHaveLength(0);
  });

  it("a working connection saves: schema from the name, password sealed, report stored, audit recorded", async () => {
    const r = await createIntegration(app.db, actor, input);
    if (!r.saved) throw new Error(r.diagnosis.failure?.message);
    expect(r.report?.flavour).toBe("rds");
    const [row] = await app.db.select().from(integrations).where(eq(integrations.id, r.id));
    expect(row).toMatchObject({ schemaName: "stitch_postgresql", flavour: "rds", username: USER, database: src.name, sslMode: "require", includeSchemaNames: true, defaultMethod: "log_based", frequencyMinutes: 60 });
    expect(row!.passwordEnc).not.toContain(PW);
    expect(connectionFromIntegration(row!).password).toBe(PW);
    expect(row!.lastReport).toMatchObject({ database: src.name, user: USER });
    const audit = await app.db.select().from(auditEvents).where(and(eq(auditEvents.teamId, actor.teamId), eq(auditEvents.action, "integration.create")));
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.details)).not.toContain(PW);
  });

  it("a second integration whose name maps to the same schema is refused next to the name", async () => {
    const err = await createIntegration(app.db, actor, { ...input, name: "stitch-postgresql!" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).fieldErrors.name).toContain("stitch_postgresql");
  });

  it("editing re-runs the checks: a wrong new password saves nothing; a right edit saves and keeps the schema", async () => {
    const [row] = await app.db.select().from(integrations).where(eq(integrations.teamId, actor.teamId));
    const edit = { id: row!.id, password: "", logBased: false, host: pg15.host, port: pg15.port, username: USER, database: src.name, sshEnabled: false, sshHost: null, sshPort: 22, sshUser: null, sslMode: "verify-full" as const, sslCa: pg15.caPem };
    const bad = await updateIntegration(app.db, actor, { ...edit, password: "nope" });
    expect(bad.saved).toBe(false);
    const [unchanged] = await app.db.select().from(integrations).where(eq(integrations.id, row!.id));
    expect(unchanged!.sslMode).toBe("require");

    const good = await updateIntegration(app.db, actor, edit);
    expect(good.saved).toBe(true);
    const [after] = await app.db.select().from(integrations).where(eq(integrations.id, row!.id));
    expect(after).toMatchObject({ sslMode: "verify-full", defaultMethod: "full_table", schemaName: "stitch_postgresql" });
    expect(connectionFromIntegration(after!).password).toBe(PW); // empty password kept the saved one
    const audit = await app.db.select().from(auditEvents).where(and(eq(auditEvents.teamId, actor.teamId), eq(auditEvents.action, "integration.update")));
    expect(audit[0]!.details).toMatchObject({ changed: expect.arrayContaining(["sslMode", "sslCa", "defaultMethod"]) });
  });

  it("another team cannot edit this integration (not found)", async () => {
    const [row] = await app.db.select().from(integrations).where(eq(integrations.teamId, actor.teamId));
    const other = await createTeamWithUser(app.db);
    const err = await updateIntegration(app.db, { teamId: other.team.id, userId: other.user.id, email: other.user.email }, {
      id: row!.id, password: "", logBased: true, host: pg15.host, port: pg15.port, username: USER, database: src.name,
      sshEnabled: false, sshHost: null, sshPort: 22, sshUser: null, sslMode: "disable", sslCa: null,
    }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe("NOT_FOUND");
  });
});
