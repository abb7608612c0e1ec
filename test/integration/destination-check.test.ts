import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { checkDestination } from "@/lib/destination/check";
import type { TDestinationConnection } from "@/lib/destination/connection";
import { createEmptyDatabase } from "../support/databases";
import { connectionParts } from "../support/url";
import { sqlOn } from "../support/engine-harness";

function connOf(url: string, extra: Partial<TDestinationConnection> = {}): TDestinationConnection {
  return { ...connectionParts(url), ssl: false, ...extra };
}

const statusOf = (check: Awaited<ReturnType<typeof checkDestination>>) => Object.fromEntries(check.items.map((i) => [i.id, i.status]));

describe("Update PostgreSQL Settings: the destination check", () => {
  let db: { url: string; name: string; drop(): Promise<void> };
  const user = `Loader "${Math.random().toString(36).slice(2, 6)}"`;
  const userPassword = "loader-pass-1";

  beforeAll(async () => {
    db = await createEmptyDatabase("pg15", "wh");
    await sqlOn(db.url, `CREATE ROLE "${user.replace(/"/g, '""')}" LOGIN PASSWORD '${userPassword}'; REVOKE CREATE ON DATABASE "${db.name}" FROM PUBLIC`);
  });
  afterAll(async () => {
    await db?.drop();
    await sqlOn(inject("pg15").superuserUrl, `DROP ROLE IF EXISTS "${user.replace(/"/g, '""')}"`).catch(() => undefined);
  });

  it("passes every item for a user with the privileges the loader needs", async () => {
    const check = await checkDestination(connOf(db.url));
    expect(check.ok).toBe(true);
    expect(statusOf(check)).toEqual({ connection: "pass", version: "pass", create: "pass", information_schema: "pass", pg_catalog: "pass" });
  });

  it("reports missing CREATE and unreadable system catalogs with fix SQL that works when run", async () => {
    await sqlOn(db.url, `REVOKE SELECT ON ALL TABLES IN SCHEMA information_schema FROM PUBLIC; REVOKE SELECT ON pg_catalog.pg_attribute FROM PUBLIC`);
    const limited = connOf(db.url, { user, password: userPassword });
    const check = await checkDestination(limited);
    expect(check.ok).toBe(false);
    expect(statusOf(check)).toMatchObject({ connection: "pass", create: "fail", information_schema: "fail", pg_catalog: "fail" });
    const fixes = check.items.filter((i) => i.fixSql).map((i) => i.fixSql!);
    const quoted = `"${user.replace(/"/g, '""')}"`;
    expect(fixes).toEqual([
      `GRANT CREATE ON DATABASE "${db.name}" TO ${quoted};`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA information_schema TO ${quoted};`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA pg_catalog TO ${quoted};`,
    ]);
    for (const sql of fixes) await sqlOn(db.url, sql);
    const after = await checkDestination(limited);
    expect(statusOf(after)).toMatchObject({ create: "pass", information_schema: "pass", pg_catalog: "pass" });
    expect(after.ok).toBe(true);
    await sqlOn(db.url, `GRANT SELECT ON ALL TABLES IN SCHEMA information_schema TO PUBLIC; GRANT SELECT ON pg_catalog.pg_attribute TO PUBLIC`);
  });

  it("names the failing step: wrong password, nothing listening, unknown database", async () => {
    const wrong = await checkDestination(connOf(db.url, { user, password: "not-it" }));
    expect(wrong.ok).toBe(false);
    expect(wrong.items).toEqual([expect.objectContaining({ id: "connection", status: "fail", detail: expect.stringMatching(/password authentication failed/) })]);
    const refused = await checkDestination(connOf(db.url, { port: 1 }));
    expect(refused.items[0]?.detail).toMatch(/Connection refused at 127\.0\.0\.1:1/);
    const noDb = await checkDestination(connOf(db.url, { database: "no_such_warehouse" }));
    expect(noDb.items[0]?.detail).toMatch(/no_such_warehouse/);
  });

  it("connects with SSL, verifies against the given certificate and refuses a certificate that does not match", async () => {
    const { caPem } = inject("pg15");
    const verified = await checkDestination(connOf(db.url, { ssl: true, sslCa: caPem }));
    expect(verified.ok).toBe(true);
    expect(verified.items.find((i) => i.id === "ssl")?.detail).toMatch(/^Encrypted \(TLS.*verified against the CA/);
    const unverified = await checkDestination(connOf(db.url, { ssl: true }));
    expect(unverified.items.find((i) => i.id === "ssl")?.detail).toMatch(/not verified/);

    const dir = mkdtempSync(join(tmpdir(), "other-ca-"));
    try {
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=someone else", "-keyout", join(dir, "k"), "-out", join(dir, "c")], { stdio: "pipe" });
      const otherCa = readFileSync(join(dir, "c"), "utf8");
      const refused = await checkDestination(connOf(db.url, { ssl: true, sslCa: otherCa }));
      expect(refused.ok).toBe(false);
      expect(refused.items[0]).toMatchObject({ id: "connection", status: "fail", detail: expect.stringMatching(/^TLS failed/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
