/**
 * Finding 5 of issue 21: a fresh install's first account (its Owner) needs the one-time setup token that
 * `npm start` prints; only its hash is stored, it works once, and a new start replaces it. Later sign-ups
 * go by invitation as before; the dashboard listens on loopback unless HOST opens it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { setupTokens, teams, users } from "@/db/schema";
import { signUp } from "@/lib/auth/accounts";
import { issueSetupToken, isSetupTokenValid } from "@/lib/auth/setup-token";
import { parseEnv } from "@/lib/env";
import { createAppDatabase, type TTestAppDb } from "../support/databases";

describe("the setup link of a fresh install", () => {
  let app: TTestAppDb;
  beforeAll(async () => {
    app = await createAppDatabase();
  });
  afterAll(async () => app?.close());

  const owner = (setupToken?: string) => ({ email: "first@example.com", password: "correct horse 7", setupToken });

  it("the first sign-up is refused without the token, or with a wrong or replaced one", async () => {
    const replaced = await issueSetupToken(app.db);
    const token = await issueSetupToken(app.db);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await expect(signUp(app.db, owner())).rejects.toThrow(/needs the setup link/);
    await expect(signUp(app.db, owner("guessed-token"))).rejects.toThrow(/setup link is not valid/);
    await expect(signUp(app.db, owner(replaced!))).rejects.toThrow(/setup link is not valid/);
    expect(await app.db.select().from(teams)).toHaveLength(0);
    expect(await app.db.select().from(users)).toHaveLength(0);
    // Only the hash is kept.
    const stored = await app.db.execute(sql`SELECT row_to_json(t)::text AS row FROM setup_tokens t`);
    expect(stored.rows).toHaveLength(1);
    expect(JSON.stringify(stored.rows)).not.toContain(token!);
  });

  it("with the token it creates the Owner; the token is then gone and no new one is issued", async () => {
    await app.db.delete(setupTokens);
    const token = await issueSetupToken(app.db);
    expect(await isSetupTokenValid(app.db, token!)).toBe(true);
    await expect(signUp(app.db, owner(token!))).resolves.toMatchObject({ role: "owner", createdTeam: true });
    expect(await app.db.select().from(setupTokens)).toHaveLength(0);
    expect(await isSetupTokenValid(app.db, token!)).toBe(false);
    // Used once: a second sign-up with it is an ordinary sign-up, which needs an invitation.
    await expect(signUp(app.db, { ...owner(token!), email: "second@example.com" })).rejects.toThrow(/needs an invitation/);
    expect(await issueSetupToken(app.db)).toBeNull();
  });

  it("the dashboard listens on loopback unless HOST says otherwise", () => {
    expect(parseEnv({}).HOST).toBe("127.0.0.1");
    expect(parseEnv({ HOST: "0.0.0.0" }).HOST).toBe("0.0.0.0");
    expect(() => parseEnv({ HOST: "0.0.0.0; rm" })).toThrow(/HOST/);
  });
});
