/** Finding 7 of issue 21: every text field of the connection forms is capped; the PEM pattern is anchored. */
import { describe, expect, it } from "vitest";
import { ZEmailSchema } from "@/lib/auth/password";
import { ZDestinationSettingsSchema } from "@/lib/destination/settings";
import { ZCreateIntegrationSchema } from "@/lib/integrations/create-input";

const CERT = `-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ0FDZXJ0aWZpY2F0ZUZvclRlc3Rz\n-----END CERTIFICATE-----\n`;
const destination = { host: "db.example.com", port: "5432", username: "loader", password: "pw", database: "warehouse", ssl: "on" };
const source = { flavour: "postgres", name: "Shop", password: "pw", host: "db.example.com", port: "5432", username: "app", database: "shop" };

function fieldError(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }, field: string): string | undefined {
  return result.error?.issues.find((i) => i.path.join(".") === field)?.message;
}

describe("input limits", () => {
  it("destination: a 200 KB certificate is refused by its length, before any pattern runs", () => {
    const huge = "-----BEGIN CERTIFICATE-----" + "A".repeat(200_000);
    expect(fieldError(ZDestinationSettingsSchema.safeParse({ ...destination, sslCa: huge }), "sslCa")).toMatch(/at most 64 KB/);
  });

  it("destination: the PEM pattern is anchored (text around a certificate is refused); a CA bundle is accepted", () => {
    const wrapped = `see below\n${CERT}and more`;
    expect(fieldError(ZDestinationSettingsSchema.safeParse({ ...destination, sslCa: wrapped }), "sslCa")).toMatch(/Paste a PEM certificate/);
    expect(ZDestinationSettingsSchema.safeParse({ ...destination, sslCa: CERT + CERT }).success).toBe(true);
  });

  it("source: certificate, SSH host and user, username and database are capped, even when their section is off", () => {
    const r = (over: Record<string, string>) => ZCreateIntegrationSchema.safeParse({ ...source, ...over });
    expect(fieldError(r({ sslEnabled: "on", sslCa: CERT + "A".repeat(70_000) }), "sslCa")).toMatch(/at most 64 KB/);
    expect(fieldError(r({ sshHost: "h".repeat(5000) }), "sshHost")).toMatch(/at most 253/);
    expect(fieldError(r({ sshUser: "u".repeat(5000) }), "sshUser")).toMatch(/at most 32/);
    expect(fieldError(r({ username: "u".repeat(100_000) }), "username")).toMatch(/at most 63 bytes/);
    expect(r({ sslEnabled: "on", sslCa: CERT + CERT }).success).toBe(true);
  });

  it("e-mail addresses are capped at 254 characters", () => {
    expect(ZEmailSchema.safeParse(`${"a".repeat(300)}@example.com`).error?.issues[0]?.message).toMatch(/at most 254/);
  });
});
