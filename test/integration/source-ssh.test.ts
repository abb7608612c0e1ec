import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { and, eq } from "drizzle-orm";
import ssh2 from "ssh2";
import pg from "pg";
import { auditEvents, integrations, teamSshKeys } from "@/db/schema";
import { seal, SECRET_CONTEXT } from "@/lib/crypto";
import { openSourceClient, type TSourceConnection } from "@/lib/source/connection";
import { diagnoseConnection } from "@/lib/source/diagnose";
import { SourceConnectionError } from "@/lib/source/errors";
import { ensureTeamSshKey, fingerprintOf, generateSshKeyPair, loadTeamSshPrivateKey } from "@/lib/source/ssh-keys";
import { createIntegration } from "@/lib/integrations/create-integration";
import { acceptSshHostKey } from "@/lib/integrations/update-prerequisites";
import { rerunPrerequisiteReport } from "@/lib/integrations/update-prerequisites";
import { createAppDatabase, createEmptyDatabase, type TTestAppDb } from "../support/databases";
import { createTeamWithUser } from "../support/fixtures";
import { startSshd, type TTestSshd } from "../support/sshd";

describe("SSH tunnel through a real sshd (ssh2 local forwarding, host key remembered)", () => {
  const pg15 = inject("pg15");
  let app: TTestAppDb;
  let sshd: TTestSshd;
  let teamId: string;
  let userId: string;
  let publicKey: string;
  let privateKey: string;
  let source: Awaited<ReturnType<typeof createEmptyDatabase>>;
  const password = new URL(pg15.superuserUrl).password;

  beforeAll(async () => {
    app = await createAppDatabase();
    const { team, user } = await createTeamWithUser(app.db);
    teamId = team.id;
    userId = user.id;
    publicKey = (await ensureTeamSshKey(app.db, teamId)).publicKey;
    privateKey = (await loadTeamSshPrivateKey(app.db, teamId))!;
    // Only the forwarded destination is allowed by the SSH server: the source is reached through it.
    sshd = await startSshd({ authorizedKey: publicKey, permitOpen: `127.0.0.1:${pg15.port} localhost:${pg15.port}` });
    source = await createEmptyDatabase("pg15", "ssh");
  });
  afterAll(async () => {
    await sshd?.stop();
    await source?.drop();
    await app?.close();
  });

  it("a stored key pair the SSH client cannot load is made again, audited; a loadable one is kept", async () => {
    // Written by ssh2 1.17 itself: its 31-byte key (a leading zero dropped) cannot be loaded.
    const unloadable = [
      "-----BEGIN OPENSSH PRIVATE KEY-----",
      "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMgAAAAtz",
      "c2gtZWQyNTUxOQAAAB/00lEdLN/ovVA+VZipiju8KRRJ/LhLH12TOM3CjtbFAAAA",
      "kHoUsYx6FLGMAAAAC3NzaC1lZDI1NTE5AAAAH/TSUR0s3+i9UD5VmKmKO7wpFEn8",
      "uEsfXZM4zcKO1sUAAAA/zEIXKnCHew58T3dVVmTYsjhRbOJOPGFepmXds5yqCRr0",
      "0lEdLN/ovVA+VZipiju8KRRJ/LhLH12TOM3CjtbFAAAACHN0cmFuZ2VyAQIDBAUG",
      "Bw==",
      "-----END OPENSSH PRIVATE KEY-----",
      "",
    ].join("\n");
    const other = await createTeamWithUser(app.db);
    const oldPublic = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAH/TSUR0s3+i9UD5VmKmKO7wpFEn8uEsfXZM4zcKO1sU stranger";
    await app.db.insert(teamSshKeys).values({ teamId: other.team.id, publicKey: oldPublic, privateKeyEnc: seal(unloadable, SECRET_CONTEXT.teamSshPrivateKey(other.team.id)) });
    const made = (await ensureTeamSshKey(app.db, other.team.id)).publicKey;
    expect(made).not.toBe(oldPublic);
    expect(ssh2.utils.parseKey((await loadTeamSshPrivateKey(app.db, other.team.id))!)).not.toBeInstanceOf(Error);
    expect((await ensureTeamSshKey(app.db, other.team.id)).publicKey).toBe(made);
    const events = await app.db.select().from(auditEvents).where(and(eq(auditEvents.teamId, other.team.id), eq(auditEvents.action, "ssh_key.replaced")));
    expect(events.map((e) => e.details)).toEqual([{ fingerprint: fingerprintOf(made), replacedFingerprint: fingerprintOf(oldPublic), reason: "the stored private key could not be loaded" }]);
  });

  const conn = (knownHostKey: string | null = null): TSourceConnection => ({
    host: "127.0.0.1",
    port: pg15.port,
    user: "postgres",
    password,
    database: source.name,
    sslMode: "disable",
    ssh: { host: sshd.host, port: sshd.port, user: sshd.user, privateKey, knownHostKey },
  });

  it("the team key pair is ed25519, made once, its private half sealed at rest", async () => {
    expect(publicKey).toMatch(/^ssh-ed25519 AAAA[0-9A-Za-z+/=]+ pgreplicate-/);
    expect((await ensureTeamSshKey(app.db, teamId)).publicKey).toBe(publicKey);
    expect(privateKey).toContain("BEGIN OPENSSH PRIVATE KEY");
    const raw = await app.db.execute<{ private_key_enc: string }>(`SELECT private_key_enc FROM team_ssh_keys`);
    expect(raw.rows[0]!.private_key_enc).not.toContain("PRIVATE KEY");
  });

  it("connects through the tunnel and reports the SSH server host key", async () => {
    const s = await openSourceClient(conn());
    const { rows } = await s.client.query("SELECT current_database() AS d, inet_client_addr()::text AS addr");
    expect(rows[0].d).toBe(source.name);
    expect(s.sshHostKey).toBe(sshd.hostKey);
    await s.close();
  });

  it("the diagnosis shows the SSH step passing, then the database steps", async () => {
    const { diagnosis, session } = await diagnoseConnection(conn(sshd.hostKey));
    expect(diagnosis.ok).toBe(true);
    expect(diagnosis.steps.map((s) => [s.step, s.status])).toEqual([
      ["dns", "pass"],
      ["tcp", "pass"],
      ["ssh", "pass"],
      ["tls", "skip"],
      ["authentication", "pass"],
      ["database", "pass"],
    ]);
    await session!.close();
  });

  it("TLS verify-full works through the tunnel, checking the database's own name", async () => {
    const s = await openSourceClient({ ...conn(sshd.hostKey), host: "localhost", sslMode: "verify-full", sslCa: pg15.caPem });
    const { rows } = await s.client.query("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    expect(rows[0].ssl).toBe("true");
    await s.close();
  });

  it("a key not in authorized_keys fails at the SSH step: SSH authentication failed", async () => {
    const stranger = generateSshKeyPair("stranger");
    const { diagnosis } = await diagnoseConnection({ ...conn(), ssh: { ...conn().ssh!, privateKey: stranger.privateKey } });
    expect(diagnosis.failure?.step).toBe("ssh");
    expect(diagnosis.failure?.message).toContain("SSH authentication failed");
  });

  it("a destination the SSH server may not forward to fails at the SSH step, naming the database address", async () => {
    const { diagnosis } = await diagnoseConnection({ ...conn(sshd.hostKey), port: 1 });
    expect(diagnosis.failure?.step).toBe("ssh");
    expect(diagnosis.failure?.message).toContain("could not reach the database at 127.0.0.1:1");
  });

  it("with SSH stopped nothing gets through: the failing step is TCP to the SSH server", async () => {
    const stopped = await startSshd({ authorizedKey: publicKey, permitOpen: `127.0.0.1:${pg15.port} localhost:${pg15.port}` });
    await stopped.stop();
    const { diagnosis } = await diagnoseConnection({ ...conn(), ssh: { ...conn().ssh!, port: stopped.port } });
    expect(diagnosis.failure?.step).toBe("tcp");
    expect(diagnosis.failure?.message).toContain(`Connection refused at 127.0.0.1:${stopped.port}`);
  });

  it("Check and Save stores the host key; a changed key then fails loudly until an Admin accepts it", async () => {
    const actor = { teamId, userId, email: "o@example.com" };
    const created = await createIntegration(app.db, actor, {
      flavour: "postgres",
      name: "Tunnelled source",
      password,
      includeSchemaNames: false,
      logBased: true,
      host: "127.0.0.1",
      port: pg15.port,
      username: "postgres",
      database: source.name,
      sshEnabled: true,
      sshHost: sshd.host,
      sshPort: sshd.port,
      sshUser: sshd.user,
      sslMode: "disable",
      sslCa: null,
    });
    expect(created.saved).toBe(true);
    const id = created.saved ? created.id : "";
    const [row] = await app.db.select().from(integrations).where(eq(integrations.id, id));
    expect(row!.sshHostKey).toBe(sshd.hostKey);

    const oldKey = sshd.hostKey;
    await sshd.rotateHostKey();
    const run = await rerunPrerequisiteReport(app.db, { teamId, userId: null, email: null }, id);
    expect(run.diagnosis.failure?.step).toBe("ssh");
    expect(run.diagnosis.failure?.message).toContain("SSH host key changed");
    expect(run.diagnosis.failure?.message).toContain(fingerprintOf(sshd.hostKey));
    expect(run.diagnosis.failure?.message).toContain(fingerprintOf(oldKey));
    expect(run.diagnosis.presentedHostKey).toBe(sshd.hostKey);
    // Jobs and discovery go through the same function and are refused too.
    const err = await openSourceClient(conn(oldKey)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceConnectionError);

    // Accepting a fingerprint other than the one presented changes nothing.
    await expect(acceptSshHostKey(app.db, actor, id, fingerprintOf(oldKey))).rejects.toThrow(/nothing was changed/);
    await acceptSshHostKey(app.db, actor, id, fingerprintOf(sshd.hostKey));
    const again = await rerunPrerequisiteReport(app.db, { teamId, userId: null, email: null }, id);
    expect(again.diagnosis.ok).toBe(true);
    expect(again.report?.items.length).toBeGreaterThan(10);
  });

  it("the source server sees the tunnelled session (application name carried through)", async () => {
    const s = await openSourceClient(conn(sshd.hostKey), source.name, { applicationName: "via-ssh" });
    const admin = new pg.Client({ connectionString: pg15.superuserUrl });
    await admin.connect();
    const { rows } = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'via-ssh'");
    await admin.end();
    expect(rows[0].n).toBe(1);
    await s.close();
  });
});
