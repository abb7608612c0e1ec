import { describe, expect, it } from "vitest";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decryptSecret, encryptSecret } from "@/lib/crypto/secrets";
import { loadOrCreateAppSecret } from "@/lib/crypto/app-secret";
import { parseEnv } from "@/lib/env";
import { quoteIdent, schemaNameFromIntegrationName } from "@/lib/naming/identifiers";
import { lockoutSeconds } from "@/lib/auth/accounts";
import { syncStatusOf } from "@/lib/integrations/sync-status";
import { ZNewPasswordSchema, ZEmailSchema } from "@/lib/auth/password";

describe("secrets", () => {
  const key = "k".repeat(40);
  it("round-trips and never stores the plaintext", () => {
    const sealed = encryptSecret("hunter2-password", key);
    expect(sealed).not.toContain("hunter2");
    expect(decryptSecret(sealed, key)).toBe("hunter2-password");
  });
  it("refuses a tampered value or the wrong key", () => {
    const sealed = encryptSecret("secret", key);
    const parts = sealed.split(".");
    parts[3] = Buffer.from("other").toString("base64url");
    expect(() => decryptSecret(parts.join("."), key)).toThrow();
    expect(() => decryptSecret(sealed, "z".repeat(40))).toThrow();
  });
  it("generates APP_SECRET once, mode 0600, and reuses it", () => {
    const dir = mkdtempSync(join(tmpdir(), "secret-"));
    const a = loadOrCreateAppSecret(dir);
    expect(loadOrCreateAppSecret(dir)).toBe(a);
    expect(statSync(join(dir, "app-secret")).mode & 0o777).toBe(0o600);
  });
});

describe("environment", () => {
  it("names the bad variable in one line", () => {
    expect(() => parseEnv({ PORT: "99999" })).toThrow(/^Invalid environment variable PORT: /);
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow("Invalid environment variable DATABASE_URL: must be a postgres:// or postgresql:// URL");
    expect(() => parseEnv({ APP_SECRET: "short" })).toThrow(/APP_SECRET: must be at least 32 characters/);
    expect(() => parseEnv({ RETAINED_WAL_WARN_MB: "-5" })).toThrow("Invalid environment variable RETAINED_WAL_WARN_MB: must be a number of megabytes above 0, e.g. 1024");
  });
  it("defaults what is optional", () => {
    expect(parseEnv({})).toMatchObject({ PORT: 3000, DATA_DIR: ".data", RETAINED_WAL_WARN_MB: 1024 });
  });
});

describe("naming", () => {
  it("derives the destination schema from the integration name", () => {
    expect(schemaNameFromIntegrationName("Stitch PostgreSQL")).toBe("stitch_postgresql");
    expect(schemaNameFromIntegrationName("Prod DB (EU)")).toBe("prod_db__eu");
    expect(schemaNameFromIntegrationName("Café Zürich")).toBe("cafe_zurich");
    expect(schemaNameFromIntegrationName("2024 orders")).toBe("_2024_orders");
  });
  it("quotes hostile identifiers", () => {
    expect(quoteIdent('we"ird name')).toBe('"we""ird name"');
  });
});

describe("sign-in rules", () => {
  it("allows five failures, then delays more and more, capped at five minutes", () => {
    expect([0, 4, 5, 6, 7, 20].map(lockoutSeconds)).toEqual([0, 0, 10, 20, 40, 300]);
  });
  it("rejects weak passwords and malformed email with clear messages", () => {
    expect(ZNewPasswordSchema.safeParse("short1").error?.issues[0]?.message).toBe("Use at least 10 characters");
    expect(ZNewPasswordSchema.safeParse("onlyletterslong").error?.issues[0]?.message).toBe("Use letters and at least one number");
    expect(ZEmailSchema.safeParse("not-an-email").error?.issues[0]?.message).toBe("Enter a valid email address, like name@example.com");
  });
});

describe("sync status", () => {
  it("maps pause and the latest job to the dashboard label", () => {
    expect(syncStatusOf(true, "running")).toBe("Paused");
    expect(syncStatusOf(false, null)).toBe("Pending");
    expect(syncStatusOf(false, "queued")).toBe("Pending");
    expect(syncStatusOf(false, "running")).toBe("Running");
    expect(syncStatusOf(false, "failed")).toBe("Failed");
    expect(syncStatusOf(false, "succeeded")).toBe("Succeeded");
  });
});
