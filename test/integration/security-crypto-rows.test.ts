/**
 * Finding 10 of issue 21 (crypto): the destination password and the team SSH private key are bound to
 * their team's row; a ciphertext copied into another team's row does not decrypt. Old (v1) values are
 * read and rewritten bound on the next save.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { destinations, teamSshKeys } from "@/db/schema";
import { seal } from "@/lib/crypto";
import { destinationConnectionFromRow } from "@/lib/destination/connection";
import { getTeamDestination, saveTeamDestination } from "@/lib/destination/settings";
import { ensureTeamSshKey, loadTeamSshPrivateKey } from "@/lib/source/ssh-keys";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createTeamWithUser } from "../support/fixtures";

describe("sealed columns are bound to their rows", () => {
  let app: TTestAppDb;
  let a: string;
  let b: string;
  const input = { host: "h", port: 5432, username: "u", password: "pw-of-a", database: "d", ssl: false, sslCa: "" };
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
});
