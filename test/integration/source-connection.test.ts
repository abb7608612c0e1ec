import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { diagnoseConnection, type TDiagnosis } from "@/lib/source/diagnose";
import { openSourceClient, type TSourceConnection } from "@/lib/source/connection";
import { SourceConnectionError } from "@/lib/source/errors";
import { createEmptyDatabase } from "../support/databases";
import { freePort } from "../support/ports";

const PASSWORD = "checker-pw-1";
const USER = `checker user "q" ü`;

function stepStatus(d: TDiagnosis) {
  return Object.fromEntries(d.steps.map((s) => [s.step, s.status]));
}

async function asSuperuser(url: string, sql: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

describe("connection diagnosis, step by step, against real servers", () => {
  const pg15 = inject("pg15");
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let embeddedDb: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let embeddedPort: number;
  const base = (): TSourceConnection => ({ host: pg15.host, port: pg15.port, user: USER, password: PASSWORD, database: db.name, sslMode: "disable" });

  beforeAll(async () => {
    db = await createEmptyDatabase("pg15", "conn");
    embeddedDb = await createEmptyDatabase("embedded", "conn");
    embeddedPort = Number(new URL(inject("embeddedUrl")).port);
    for (const url of [pg15.superuserUrl, inject("embeddedUrl")]) {
      await asSuperuser(url, `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'checker user "q" ü') THEN CREATE ROLE "checker user ""q"" ü" LOGIN PASSWORD '${PASSWORD}'; END IF; END $$`);
    }
  });
  afterAll(async () => {
    await db.drop();
    await embeddedDb.drop();
  });

  it("a working connection passes every applicable step and hands back an open client", async () => {
    const { diagnosis, session } = await diagnoseConnection(base());
    expect(diagnosis.ok).toBe(true);
    expect(stepStatus(diagnosis)).toEqual({ dns: "pass", tcp: "pass", ssh: "skip", tls: "skip", authentication: "pass", database: "pass" });
    const { rows } = await session!.client.query("SELECT current_user AS u, current_database() AS d");
    expect(rows[0]).toEqual({ u: USER, d: db.name });
    await session!.close();
  });

  it("a wrong password fails at authentication with the server's words", async () => {
    const { diagnosis, session } = await diagnoseConnection({ ...base(), password: "wrong" });
    expect(session).toBeNull();
    expect(diagnosis.failure?.step).toBe("authentication");
    expect(diagnosis.failure?.message).toContain(`password authentication failed for user "${USER}"`);
    expect(stepStatus(diagnosis)).toMatchObject({ dns: "pass", tcp: "pass", authentication: "fail", database: "not_run" });
  });

  it("a closed port fails at TCP: connection refused at host:port", async () => {
    const port = await freePort();
    const { diagnosis } = await diagnoseConnection({ ...base(), port });
    expect(diagnosis.failure).toEqual({ step: "tcp", message: expect.stringContaining(`Connection refused at 127.0.0.1:${port}`) });
  });

  it("an unknown host fails at name resolution", async () => {
    const { diagnosis } = await diagnoseConnection({ ...base(), host: "no-such-host.invalid" });
    expect(diagnosis.failure?.step).toBe("dns");
    expect(diagnosis.failure?.message).toContain("no-such-host.invalid");
  });

  it("a server that accepts but never answers times out after the connect timeout, reported in seconds", async () => {
    const net = await import("node:net");
    const sockets: import("node:net").Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    const port = (silent.address() as import("node:net").AddressInfo).port;
    try {
      const started = Date.now();
      const { diagnosis } = await diagnoseConnection({ ...base(), port, connectTimeoutMs: 2000 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
      expect(Date.now() - started).toBeLessThan(6000);
      expect(diagnosis.failure).toEqual({ step: "tcp", message: expect.stringContaining(`127.0.0.1:${port} timed out after 2 s`) });
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it("a missing database fails at the database step", async () => {
    const { diagnosis } = await diagnoseConnection({ ...base(), database: "no such db" });
    expect(diagnosis.failure?.step).toBe("database");
    expect(diagnosis.failure?.message).toContain('database "no such db" does not exist');
    expect(stepStatus(diagnosis).authentication).toBe("pass");
  });

  it("a database without CONNECT for the user fails at the database step", async () => {
    await asSuperuser(pg15.superuserUrl, `REVOKE CONNECT ON DATABASE "${db.name}" FROM PUBLIC`);
    try {
      const { diagnosis } = await diagnoseConnection(base());
      expect(diagnosis.failure?.step).toBe("database");
      expect(diagnosis.failure?.message).toContain("permission denied for database");
    } finally {
      await asSuperuser(pg15.superuserUrl, `GRANT CONNECT ON DATABASE "${db.name}" TO PUBLIC`);
    }
  });

  it("SSL require encrypts; verify-ca and verify-full accept the server with our CA", async () => {
    for (const sslMode of ["require", "verify-ca", "verify-full"] as const) {
      const { diagnosis, session } = await diagnoseConnection({ ...base(), sslMode, sslCa: pg15.caPem });
      expect(diagnosis.ok, `${sslMode}: ${diagnosis.failure?.message}`).toBe(true);
      expect(stepStatus(diagnosis).tls).toBe("pass");
      const { rows } = await session!.client.query("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
      expect(rows[0].ssl).toBe("true");
      await session!.close();
    }
  });

  it("verify-full with host name localhost matches the certificate; a CA that did not sign it fails at TLS", async () => {
    const ok = await diagnoseConnection({ ...base(), host: "localhost", sslMode: "verify-full", sslCa: pg15.caPem });
    expect(ok.diagnosis.ok).toBe(true);
    await ok.session!.close();
    const otherCa = (await import("node:tls")).rootCertificates[0]!;
    const bad = await diagnoseConnection({ ...base(), sslMode: "verify-ca", sslCa: otherCa });
    expect(bad.diagnosis.failure?.step).toBe("tls");
    expect(bad.diagnosis.failure?.message).toMatch(/certificate/i);
  });

  it("SSL to a server without SSL fails at the TLS step: server does not support SSL", async () => {
    const { diagnosis } = await diagnoseConnection({ ...base(), port: embeddedPort, database: embeddedDb.name, sslMode: "require" });
    expect(diagnosis.failure?.step).toBe("tls");
    expect(diagnosis.failure?.message).toContain("does not support SSL");
  });

  it("openSourceClient throws a SourceConnectionError naming the step, for every later caller", async () => {
    const err = await openSourceClient({ ...base(), password: "nope" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceConnectionError);
    expect((err as SourceConnectionError).step).toBe("authentication");
  });
});
