/**
 * Finding 10 of issue 21 (crypto): every sealed secret — destination and integration passwords, the team
 * SSH private key — is bound to its row; a ciphertext copied into another row does not decrypt. Old (v1)
 * values are read and rewritten bound on the row's next save.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { destinations, integrations, teamSshKeys } from "@/db/schema";
import { seal } from "@/lib/crypto";
import { destinationConnectionFromRow } from "@/lib/destination/connection";
import { configureDefaultDestination } from "@/lib/destination/default-destination";
import { getTeamDestination, saveTeamDestination } from "@/lib/destination/settings";
import { createIntegration } from "@/lib/integrations/create-integration";
import { updateIntegration } from "@/lib/integrations/update-integration";
import { connectionFromIntegration } from "@/lib/source/connection";
import { ensureTeamSshKey, loadTeamSshPrivateKey } from "@/lib/source/ssh-keys";
import { createAppDatabase, createEmptyDatabase, type TTestAppDb } from "../support/databases";
import { createTeamWithUser } from "../support/fixtures";
import { connectionParts } from "../support/url";

describe("sealed columns are bound to their rows", () => {
  let app: TTestAppDb;
  let a: string;
  let b: string;
  const input = { host: "h", port: 5432, username: "u", password: "pw-of-a", database: "d", ssl: false, sslMode: "disable" as const, sslCa: "" };
  const conn = { host: "h", port: 5432, user: "u", password: "pw-of-a", database: "d", ssl: false };

  beforeAll(async () => {
    app = await createAppDatabase();
    a = (await createTeamWithUser(app.db)).team.id;
    b = (await createTeamWithUser(app.db)).team.id;
  });
  afterAll(async () => app?.close());

  it("a destination password copied into another team's row does not decrypt there", async () => {
    await saveTeamDestination(app.db, a, input, conn, null);
    await saveTeamDestination(app.db, b, { ...input, password: "pw-of-b" }, { ...conn, password: "pw-of-b" }, null);
    const rowA = (await getTeamDestination(app.db, a))!;
    expect(destinationConnectionFromRow(rowA).password).toBe("pw-of-a");
    await app.db.update(destinations).set({ passwordEnc: rowA.passwordEnc }).where(eq(destinations.teamId, b));
    expect(() => destinationConnectionFromRow({ ...rowA, teamId: b })).toThrow();
  });

  it("a team's SSH private key copied into another team's row does not decrypt there", async () => {
    await ensureTeamSshKey(app.db, a);
    await ensureTeamSshKey(app.db, b);
    const [keyA] = await app.db.select().from(teamSshKeys).where(eq(teamSshKeys.teamId, a));
    expect(await loadTeamSshPrivateKey(app.db, a)).toContain("PRIVATE KEY");
    await app.db.update(teamSshKeys).set({ privateKeyEnc: keyA!.privateKeyEnc }).where(eq(teamSshKeys.teamId, b));
    await expect(loadTeamSshPrivateKey(app.db, b)).rejects.toThrow();
  });

  it("an old unbound destination password is still read, and is bound on the next save", async () => {
    await app.db.update(destinations).set({ passwordEnc: seal("legacy-pw") }).where(eq(destinations.teamId, a));
    const legacy = (await getTeamDestination(app.db, a))!;
    expect(legacy.passwordEnc.startsWith("v1.")).toBe(true);
    expect(destinationConnectionFromRow(legacy).password).toBe("legacy-pw");
    await saveTeamDestination(app.db, a, { ...input, password: "" }, { ...conn, password: "legacy-pw" }, null);
    const saved = (await getTeamDestination(app.db, a))!;
    expect(saved.passwordEnc.startsWith("v2.")).toBe(true);
    expect(destinationConnectionFromRow(saved).password).toBe("legacy-pw");
  });

  it("the default destination's password is bound to its team's row from the start", async () => {
    const c = (await createTeamWithUser(app.db)).team.id;
    await configureDefaultDestination(app.db, c, "postgres://loader:p%40ss@127.0.0.1:5432/warehouse");
    const row = (await getTeamDestination(app.db, c))!;
    expect(row.passwordEnc.startsWith("v2.")).toBe(true);
    expect(destinationConnectionFromRow(row).password).toBe("p@ss");
    expect(() => destinationConnectionFromRow({ ...row, teamId: a })).toThrow();
  });
});

describe("integration passwords are bound to their rows", () => {
  let app: TTestAppDb;
  let src: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let actor: { teamId: string; userId: string; email: string };
  const fields = () => {
    const p = connectionParts(src.url);
    return { host: p.host, port: p.port, username: p.user, database: p.database, sshEnabled: false, sshHost: null, sshPort: 22, sshUser: null, sslMode: "disable" as const, sslCa: null };
  };
  const create = async (name: string) => {
    const r = await createIntegration(app.db, actor, { flavour: "postgres", name, password: connectionParts(src.url).password, includeSchemaNames: false, logBased: false, ...fields() });
    if (!r.saved) throw new Error(r.diagnosis.failure?.message);
    const [row] = await app.db.select().from(integrations).where(eq(integrations.id, r.id));
    return row!;
  };

  beforeAll(async () => {
    app = await createAppDatabase();
    src = await createEmptyDatabase("pg15", "crypto_rows");
    const { team, user } = await createTeamWithUser(app.db);
    actor = { teamId: team.id, userId: user.id, email: user.email };
  });
  afterAll(async () => {
    await src?.drop();
    await app?.close();
  });

  it("Check and Save seals the password bound to the new row; copied into another row it does not decrypt", async () => {
    const one = await create("Bound One");
    const two = await create("Bound Two");
    expect(one.passwordEnc.startsWith("v2.")).toBe(true);
    expect(connectionFromIntegration(one).password).toBe(connectionParts(src.url).password);
    await app.db.update(integrations).set({ passwordEnc: one.passwordEnc }).where(eq(integrations.id, two.id));
    expect(() => connectionFromIntegration({ ...two, passwordEnc: one.passwordEnc })).toThrow();
    // Nor does the row itself, moved into another team.
    const other = (await createTeamWithUser(app.db)).team.id;
    expect(() => connectionFromIntegration({ ...one, teamId: other })).toThrow();
  });

  it("an old unbound (v1) password is read, and a save with the password left empty binds it", async () => {
    const row = await create("Legacy One");
    const pw = connectionParts(src.url).password;
    await app.db.update(integrations).set({ passwordEnc: seal(pw) }).where(eq(integrations.id, row.id));
    const [legacy] = await app.db.select().from(integrations).where(eq(integrations.id, row.id));
    expect(legacy!.passwordEnc.startsWith("v1.")).toBe(true);
    expect(connectionFromIntegration(legacy!).password).toBe(pw);
    const r = await updateIntegration(app.db, actor, { id: row.id, password: "", logBased: false, ...fields() });
    expect(r.saved).toBe(true);
    const [saved] = await app.db.select().from(integrations).where(eq(integrations.id, row.id));
    expect(saved!.passwordEnc.startsWith("v2.")).toBe(true);
    expect(connectionFromIntegration(saved!).password).toBe(pw);
  });
});
