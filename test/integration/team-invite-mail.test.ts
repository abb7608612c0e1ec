import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { invitations } from "@/db/schema";
import { signUp } from "@/lib/auth/accounts";
import { EnvError } from "@/lib/env";
import { inviteMember } from "@/lib/team/invite";
import { smtpSettingsFromEnv } from "@/lib/team/invitation-mail";
import type { TTeamActor } from "@/lib/team/context";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createTeamWithUser } from "../support/fixtures";
import { freePort } from "../support/ports";

type TReceived = { from: string; to: string[]; data: string };

describe("invitation e-mails through a real SMTP server", () => {
  let app: TTestAppDb;
  let owner: TTeamActor;
  let server: SMTPServer;
  let port: number;
  const received: TReceived[] = [];

  beforeAll(async () => {
    app = await createAppDatabase();
    const { team, user } = await createTeamWithUser(app.db, "owner", "olga@example.com");
    owner = { actor: { teamId: team.id, userId: user.id, email: user.email }, role: "owner" };
    port = await freePort();
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onAuth(auth, _session, cb) {
        if (auth.username === "mailer" && auth.password === "mail-secret-1") cb(null, { user: "mailer" });
        else cb(new Error("Invalid username or password"));
      },
      onRcptTo(address, _session, cb) {
        if (address.address.endsWith("@refused.example")) cb(new Error("Mailbox unavailable"));
        else cb();
      },
      onData(stream, session, cb) {
        let data = "";
        stream.on("data", (c: Buffer) => (data += c.toString("utf8")));
        stream.on("end", () => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), data });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await app?.close();
  });

  const smtp = () => ({ url: `smtp://mailer:mail-secret-1@127.0.0.1:${port}`, from: "Replication <noreply@example.com>" });

  it("e-mails the one-time link to the invited address, and the link in the mail signs the person up", async () => {
    const res = await inviteMember(app.db, owner, { role: "member", email: "newbie@example.com" }, { smtp: smtp(), baseUrl: "http://dash.example.com:3000", teamName: "Data team" });
    expect(res).toMatchObject({ delivery: "emailed", deliveryError: null });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: "noreply@example.com", to: ["newbie@example.com"] });
    // Quoted-printable body: join soft line breaks, decode =XX.
    const mail = received[0]!.data.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    expect(mail).toContain("Subject: You are invited to join Data team");
    expect(mail).toContain("olga@example.com invited you to join Data team as Member.");
    const link = /http:\/\/dash\.example\.com:3000\/sign-up\?invite=([A-Za-z0-9_-]+)/.exec(mail);
    expect(link?.[1]).toBe(res.token);
    await expect(signUp(app.db, { email: "newbie@example.com", password: "newbie-password-1", invitationToken: link![1] })).resolves.toMatchObject({ role: "member" });
  });

  it("says why when the SMTP server refuses, and keeps the invitation usable", async () => {
    const res = await inviteMember(app.db, owner, { role: "viewer", email: "x@refused.example" }, { smtp: smtp(), baseUrl: "http://dash.example.com", teamName: "Data team" });
    expect(res.delivery).toBe("failed");
    expect(res.deliveryError).toMatch(/Mailbox unavailable/);
    const [row] = await app.db.select().from(invitations).where(eq(invitations.id, res.id));
    expect(row).toMatchObject({ revokedAt: null, acceptedAt: null });

    const badAuth = await inviteMember(app.db, owner, { role: "viewer", email: "y@example.com" }, { smtp: { ...smtp(), url: `smtp://mailer:wrong@127.0.0.1:${port}` }, baseUrl: "http://d", teamName: "T" });
    expect(badAuth.delivery).toBe("failed");
    expect(badAuth.deliveryError).toMatch(/Invalid username or password/);
    expect(badAuth.deliveryError).not.toContain("wrong@");
  });

  it("only shows the link when SMTP is not configured or no address is given", async () => {
    const before = received.length;
    expect((await inviteMember(app.db, owner, { role: "viewer", email: "z@example.com" }, { smtp: null, baseUrl: "http://d", teamName: "T" })).delivery).toBe("not_configured");
    expect((await inviteMember(app.db, owner, { role: "viewer" }, { smtp: smtp(), baseUrl: "http://d", teamName: "T" })).delivery).toBe("no_address");
    expect(received.length).toBe(before);
  });

  it("reads SMTP_URL and SMTP_FROM from the environment, both or neither", () => {
    expect(smtpSettingsFromEnv({})).toBeNull();
    expect(smtpSettingsFromEnv({ SMTP_URL: "smtp://a:b@mail.example.com:587", SMTP_FROM: "noreply@example.com" })).toEqual({ url: "smtp://a:b@mail.example.com:587", from: "noreply@example.com" });
    expect(() => smtpSettingsFromEnv({ SMTP_URL: "smtp://mail.example.com" })).toThrow(EnvError);
    expect(() => smtpSettingsFromEnv({ SMTP_URL: "smtp://mail.example.com" })).toThrow(/SMTP_FROM: set SMTP_URL and SMTP_FROM together/);
    expect(() => smtpSettingsFromEnv({ SMTP_URL: "http://mail.example.com", SMTP_FROM: "a@b.c" })).toThrow(/SMTP_URL: must be an smtp/);
  });
});
