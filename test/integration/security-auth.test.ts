/**
 * Finding 2 of issue 21: sign-in throttling holds under a parallel burst, per e-mail and per client
 * address; unknown e-mail and wrong password answer alike; sign-up checks the invitation before any
 * bcrypt work; expired throttle rows are purged.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { signInFailures } from "@/db/schema";
import * as password from "@/lib/auth/password";
import { authenticate, SIGN_IN_REFUSED, signUp } from "@/lib/auth/accounts";
import { issueSetupToken } from "@/lib/auth/setup-token";
import { createAppDatabase, type TTestAppDb } from "../support/databases";

vi.mock("@/lib/auth/password", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/auth/password")>();
  return { ...real, hashPassword: vi.fn(real.hashPassword) };
});

const OWNER = "owner@example.com";
const OWNER_PW = "correct horse 1";
const throttled = (r: Awaited<ReturnType<typeof authenticate>>) => !r.ok && /Too many failed sign-ins/.test(r.message);

describe("sign-in throttling and sign-up", () => {
  let app: TTestAppDb;
  beforeAll(async () => {
    app = await createAppDatabase();
    await signUp(app.db, { email: OWNER, password: OWNER_PW, setupToken: (await issueSetupToken(app.db)) ?? undefined });
  });
  afterAll(async () => app?.close());

  it("a parallel burst of 30 wrong passwords gets exactly 5 verified", async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => authenticate(app.db, OWNER, "wrong guess", { clientAddress: "198.51.100.1" })));
    expect(results.filter((r) => !throttled(r))).toHaveLength(5);
    expect(results.filter(throttled)).toHaveLength(25);
    // Refused attempts are not counted again: the e-mail's row holds the 5 that were verified.
    const [row] = await app.db.select().from(signInFailures).where(eq(signInFailures.email, OWNER));
    expect(row?.failures).toBe(5);
  });

  it("one address spraying many e-mails in parallel gets 20 tries; another address is not affected", async () => {
    const emails = Array.from({ length: 30 }, (_, i) => `spray${i}@example.com`);
    const results = await Promise.all(emails.map((e) => authenticate(app.db, e, "guess", { clientAddress: "203.0.113.7" })));
    expect(results.filter((r) => !throttled(r))).toHaveLength(20);
    const [row] = await app.db.select().from(signInFailures).where(eq(signInFailures.email, "addr:203.0.113.7"));
    expect(row?.failures).toBe(20);
    expect(await authenticate(app.db, "fresh@example.com", "guess", { clientAddress: "203.0.113.8" })).toEqual({ ok: false, field: "password", message: SIGN_IN_REFUSED });
  });

  it("an unknown e-mail and a wrong password get the same answer", async () => {
    await app.db.delete(signInFailures);
    const unknown = await authenticate(app.db, "nobody@example.com", "x", { clientAddress: "192.0.2.1" });
    const wrong = await authenticate(app.db, OWNER, "wrong", { clientAddress: "192.0.2.1" });
    expect(unknown).toEqual(wrong);
    expect(wrong).toEqual({ ok: false, field: "password", message: SIGN_IN_REFUSED });
    expect(await authenticate(app.db, OWNER, OWNER_PW, { clientAddress: "192.0.2.1" })).toMatchObject({ ok: true });
    // Success clears the e-mail's count and gives the address its attempt back.
    const rows = await app.db.select().from(signInFailures);
    expect(rows.map((r) => [r.email, r.failures]).sort()).toEqual([["addr:192.0.2.1", 2], ["nobody@example.com", 1]]);
  });

  it("rows whose window has passed are purged on the next sign-in", async () => {
    await app.db.insert(signInFailures).values({ email: "old@example.com", failures: 9, lastFailureAt: new Date(Date.now() - 3_600_000) });
    await authenticate(app.db, OWNER, OWNER_PW, { clientAddress: "192.0.2.9" });
    expect(await app.db.select().from(signInFailures).where(eq(signInFailures.email, "old@example.com"))).toEqual([]);
  });

  it("sign-up without a valid invitation is refused before any password is hashed", async () => {
    vi.mocked(password.hashPassword).mockClear();
    await expect(signUp(app.db, { email: "x@example.com", password: "correct horse 9" })).rejects.toThrow(/needs an invitation/);
    await expect(signUp(app.db, { email: "x@example.com", password: "correct horse 9", invitationToken: "forged" })).rejects.toThrow(/not valid/);
    expect(password.hashPassword).not.toHaveBeenCalled();
  });
});
