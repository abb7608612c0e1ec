/**
 * Finding 1 of issue 21: a saved password is only ever sent to the server it was saved for. A fake
 * PostgreSQL server that asks for a cleartext password stands in for a server an attacker controls:
 * before the fix, pointing the host at it with the password field left empty handed it the real one.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import net from "node:net";
import { auditEvents, destinations } from "@/db/schema";
import { runActionAs } from "@/lib/server/authed-action";
import * as destinationActions from "@/lib/destination/actions";
import { seal } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { updateIntegration } from "@/lib/integrations/update-integration";
import type { TUpdateIntegrationInput } from "@/lib/integrations/update-input";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createIntegration, createTeamWithUser } from "../support/fixtures";

vi.mock("server-only", () => ({}));

const SAVED_PW = "the-real-saved-password";

/** Accepts PostgreSQL connections, asks for a cleartext password and records what it is given. */
async function startPasswordTrap(): Promise<{ port: number; received: string[]; close(): Promise<void> }> {
  const received: string[] = [];
  const server = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    let started = false;
    sock.on("error", () => undefined);
    sock.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!started && buf.length >= 8) {
        const len = buf.readInt32BE(0);
        if (buf.readInt32BE(4) === 80877103) {
          sock.write("N"); // no SSL here
          buf = buf.subarray(8);
          return;
        }
        if (buf.length < len) return;
        buf = buf.subarray(len);
        started = true;
        const ask = Buffer.alloc(9);
        ask.write("R", 0);
        ask.writeInt32BE(8, 1);
        ask.writeInt32BE(3, 5); // AuthenticationCleartextPassword
        sock.write(ask);
      }
      if (started && buf.length >= 5 && buf[0] === 0x70) {
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) return;
        received.push(buf.subarray(5, len).toString("utf8"));
        sock.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("a saved password never follows a changed host", () => {
  const pg15 = inject("pg15");
  let app: TTestAppDb;
  let trap: Awaited<ReturnType<typeof startPasswordTrap>>;
  let owner: Awaited<ReturnType<typeof createTeamWithUser>>;

  beforeAll(async () => {
    app = await createAppDatabase();
    trap = await startPasswordTrap();
    owner = await createTeamWithUser(app.db, "owner");
  });
  afterAll(async () => {
    await trap.close();
    await app.close();
  });

  function editTo(id: string, over: Partial<TUpdateIntegrationInput>): TUpdateIntegrationInput {
    return {
      id, password: "", logBased: false, host: pg15.host, port: pg15.port, username: "app", database: "src",
      sshEnabled: false, sshHost: null, sshPort: 22, sshUser: null, sslMode: "disable", sslCa: null, ...over,
    };
  }

  it("integration: a new host with an empty password is refused next to Password, and nothing is sent", async () => {
    const row = await createIntegration(app.db, owner.team.id, { host: pg15.host, port: pg15.port, user: "app", password: SAVED_PW, database: "src" }, { sslMode: "disable" });
    const actor = { teamId: owner.team.id, userId: owner.user.id, email: owner.user.email };
    const err = await updateIntegration(app.db, actor, editTo(row.id, { host: "127.0.0.1", port: trap.port })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).fieldErrors.password).toMatch(/Enter the password again: the (host, )?port changed/);
    expect(trap.received).toEqual([]);
  });

  it("integration: a weaker SSL mode or another SSH server also needs the password", async () => {
    const row = await createIntegration(app.db, owner.team.id, { host: pg15.host, port: pg15.port, user: "app", password: SAVED_PW, database: "src" }, { sslMode: "verify-full" });
    const actor = { teamId: owner.team.id, userId: owner.user.id, email: owner.user.email };
    const weaker = await updateIntegration(app.db, actor, editTo(row.id, { sslMode: "require" })).catch((e: unknown) => e);
    expect((weaker as AppError).fieldErrors.password).toMatch(/SSL verification/);
    const ssh = await updateIntegration(app.db, actor, editTo(row.id, { sslMode: "verify-full", sshEnabled: true, sshHost: "10.9.9.9", sshPort: 22, sshUser: "tunnel" })).catch((e: unknown) => e);
    expect((ssh as AppError).fieldErrors.password).toMatch(/SSH server/);
  });

  it("integration: a retyped password may go to the new host; the failed check is audited, without it", async () => {
    const row = await createIntegration(app.db, owner.team.id, { host: pg15.host, port: pg15.port, user: "app", password: SAVED_PW, database: "src" }, { sslMode: "disable" });
    const actor = { teamId: owner.team.id, userId: owner.user.id, email: owner.user.email };
    const r = await updateIntegration(app.db, actor, editTo(row.id, { host: "127.0.0.1", port: trap.port, password: "typed-now" }));
    expect(r.saved).toBe(false);
    expect(trap.received).toEqual(["typed-now"]);
    const audit = await app.db.select().from(auditEvents).where(and(eq(auditEvents.teamId, owner.team.id), eq(auditEvents.action, "integration.update_failed")));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ host: "127.0.0.1", port: trap.port, failedStep: expect.any(String), error: expect.any(String) });
    expect(JSON.stringify(audit[0]!.details)).not.toContain("typed-now");
    trap.received.length = 0;
  });

  it("destination: Update PostgreSQL Settings with a new host and no password is refused; nothing is sent", async () => {
    await app.db.insert(destinations).values({ teamId: owner.team.id, host: pg15.host, port: pg15.port, username: "loader", passwordEnc: seal(SAVED_PW), database: "warehouse", ssl: false });
    const session = { user: { id: owner.user.id, email: owner.user.email, name: null }, team: { id: owner.team.id, name: owner.team.name }, role: "owner" as const };
    const input = { host: "127.0.0.1", port: String(trap.port), username: "loader", password: "", database: "warehouse", ssl: "false", sslCa: "" };
    const r = await runActionAs(destinationActions.updateDestinationAction, session, input, { db: app.db });
    expect(r).toMatchObject({ ok: false, fieldErrors: { password: expect.stringMatching(/Enter the password again: the (host, )?port changed/) } });
    expect(trap.received).toEqual([]);
    const [kept] = await app.db.select().from(destinations).where(eq(destinations.teamId, owner.team.id));
    expect(kept).toMatchObject({ host: pg15.host, port: pg15.port });
  });
});
