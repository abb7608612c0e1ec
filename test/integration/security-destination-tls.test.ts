/**
 * Finding 10 of issue 21 (TLS) and 1/12 for the destination: the destination offers libpq's SSL modes
 * as the source does, and verify-full checks the server's host name against a real TLS server (Debian's
 * PostgreSQL 15, whose certificate names localhost and 127.0.0.1 only). Changing the SSL mode needs the
 * password again; a change whose check fails is audited with its error and without the password.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditEvents, destinations } from "@/db/schema";
import { runActionAs } from "@/lib/server/authed-action";
import * as destinationActions from "@/lib/destination/actions";
import { checkDestination } from "@/lib/destination/check";
import { destinationConnectionFromRow, type TDestinationConnection } from "@/lib/destination/connection";
import { createAppDatabase, createEmptyDatabase, type TTestAppDb } from "../support/databases";
import { createTeamWithUser } from "../support/fixtures";
import { connectionParts } from "../support/url";

vi.mock("server-only", () => ({}));

/** An alias of 127.0.0.1 (the resolver reads "127.1" as 127.0.0.1) that the certificate does not name. */
const UNNAMED_HOST = "127.1";

describe("destination SSL modes", () => {
  const pg15 = inject("pg15");
  let wh: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let app: TTestAppDb;
  let owner: Awaited<ReturnType<typeof createTeamWithUser>>;
  const conn = (over: Partial<TDestinationConnection>): TDestinationConnection => ({ ...connectionParts(wh.url), ssl: true, ...over });
  const session = () => ({ user: { id: owner.user.id, email: owner.user.email, name: null }, team: { id: owner.team.id, name: owner.team.name }, role: "owner" as const });
  const form = (over: Record<string, string>) => {
    const p = connectionParts(wh.url);
    return { host: "localhost", port: String(p.port), username: p.user, password: p.password, database: p.database, ssl: "on", sslMode: "verify-full", sslCa: pg15.caPem, ...over };
  };
  const save = (over: Record<string, string>) => runActionAs(destinationActions.updateDestinationAction, session(), form(over), { db: app.db });
  const auditOf = (action: string) => app.db.select().from(auditEvents).where(and(eq(auditEvents.teamId, owner.team.id), eq(auditEvents.action, action)));

  beforeAll(async () => {
    wh = await createEmptyDatabase("pg15", "wh_tls");
    app = await createAppDatabase();
    owner = await createTeamWithUser(app.db, "owner");
  });
  afterAll(async () => {
    await app?.close();
    await wh?.drop();
  });

  it("verify-full accepts the names on the certificate and refuses another name for the same server", async () => {
    for (const host of ["localhost", "127.0.0.1"]) {
      const ok = await checkDestination(conn({ host, sslMode: "verify-full", sslCa: pg15.caPem }));
      expect(ok.ok, JSON.stringify(ok.items[0])).toBe(true);
      expect(ok.items.find((i) => i.id === "ssl")?.detail).toMatch(/issued for this host name \(verify-full\)/);
    }
    const wrongName = await checkDestination(conn({ host: UNNAMED_HOST, sslMode: "verify-full", sslCa: pg15.caPem }));
    expect(wrongName.ok).toBe(false);
    expect(wrongName.items[0]).toMatchObject({ id: "connection", status: "fail", detail: expect.stringMatching(/^TLS failed.*(altnames|host ?name)/i) });
    // The same server and CA under verify-ca: the chain is checked, the name is not.
    const caOnly = await checkDestination(conn({ host: UNNAMED_HOST, sslMode: "verify-ca", sslCa: pg15.caPem }));
    expect(caOnly.ok, JSON.stringify(caOnly.items[0])).toBe(true);
  });

  it("verify-full without a CA uses the system's CAs: a private CA's server is refused", async () => {
    const check = await checkDestination(conn({ host: "localhost", sslMode: "verify-full", sslCa: null }));
    expect(check.items[0]).toMatchObject({ id: "connection", status: "fail", detail: expect.stringMatching(/^TLS failed/) });
  });

  it("the form stores the SSL mode and the loader's connection uses it", async () => {
    const r = await save({});
    expect(r).toMatchObject({ ok: true, data: { saved: true } });
    const [row] = await app.db.select().from(destinations).where(eq(destinations.teamId, owner.team.id));
    expect(row).toMatchObject({ sslMode: "verify-full", ssl: true, host: "localhost" });
    expect(destinationConnectionFromRow(row!)).toMatchObject({ sslMode: "verify-full", host: "localhost" });
    const [created] = await auditOf("destination.created");
    expect(created!.details).toMatchObject({ sslMode: "verify-full", passwordChanged: true });
    expect(JSON.stringify(created!.details)).not.toContain(connectionParts(wh.url).password);
  });

  it("verify-ca without a certificate is refused next to the certificate field", async () => {
    const r = await save({ sslMode: "verify-ca", sslCa: "" });
    expect(r).toMatchObject({ ok: false, fieldErrors: { sslCa: expect.stringMatching(/verify-ca needs the CA certificate/) } });
  });

  it("changing only the SSL mode needs the password again; nothing is checked or saved", async () => {
    const r = await save({ sslMode: "require", password: "" });
    expect(r).toMatchObject({ ok: false, fieldErrors: { password: expect.stringMatching(/Enter the password again: the SSL mode changed/) } });
    const [row] = await app.db.select().from(destinations).where(eq(destinations.teamId, owner.team.id));
    expect(row!.sslMode).toBe("verify-full");
    // Unchanged settings keep the saved password.
    expect(await save({ password: "" })).toMatchObject({ ok: true, data: { saved: true } });
  });

  it("a changed destination whose check fails is audited with the error, without the password", async () => {
    const typed = "typed-for-the-wrong-name";
    const r = await save({ host: UNNAMED_HOST, password: typed });
    expect(r).toMatchObject({ ok: true, data: { saved: false } });
    const [failed] = await auditOf("destination.update_failed");
    expect(failed!.details).toMatchObject({ host: UNNAMED_HOST, sslMode: "verify-full", failed: ["connection"], error: expect.stringMatching(/^TLS failed/) });
    expect(JSON.stringify(failed!.details)).not.toContain(typed);
    const [row] = await app.db.select().from(destinations).where(eq(destinations.teamId, owner.team.id));
    expect(row!.host).toBe("localhost");
  });
});
