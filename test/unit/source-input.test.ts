import { describe, expect, it } from "vitest";
import { ZCreateIntegrationSchema } from "@/lib/integrations/create-input";
import { ZUpdateIntegrationSchema } from "@/lib/integrations/update-input";
import { slotNameCandidates } from "@/lib/source/slot-names";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUabc=\n-----END CERTIFICATE-----";
const valid = { flavour: "postgres", name: "Stitch PostgreSQL", host: "db.example.com", port: "5432", username: "stitch", password: "pw", database: "shop", logBased: "on" };

function errors(input: Record<string, unknown>) {
  const r = ZCreateIntegrationSchema.safeParse(input);
  if (r.success) return {};
  const out: Record<string, string> = {};
  for (const i of r.error.issues) out[i.path.join(".")] ??= i.message; // the first message per field, as the form shows
  return out;
}

describe("connection form validation (server-side zod)", () => {
  it("accepts the form as posted and normalises it: SSL off → disable, SSH off → no SSH fields, checkbox 'on' → true", () => {
    const r = ZCreateIntegrationSchema.parse(valid);
    expect(r).toMatchObject({ host: "db.example.com", port: 5432, sslMode: "disable", sslCa: null, sshEnabled: false, sshHost: null, sshUser: null, logBased: true, includeSchemaNames: false });
  });

  it.each([
    ["postgres://db.example.com", "without a scheme"],
    ["db.example.com:5432", "in the Port field"],
    ["db example.com", "no path, user or spaces"],
    ["db.example.com/shop", "no path"],
    ["-bad-.example", "not a valid host"],
    ["", "Enter the host"],
  ])("rejects host %j next to the Host field", (host, message) => {
    expect(errors({ ...valid, host }).host).toContain(message);
  });

  it("accepts IPv4, IPv6 and RDS endpoints", () => {
    for (const host of ["10.0.0.5", "::1", "[fe80::1]", "mydb.abc123.eu-west-1.rds.amazonaws.com"]) expect(errors({ ...valid, host }), host).toEqual({});
  });

  it.each([["0"], ["65536"], ["54.3"], ["abc"]])("rejects port %j", (port) => {
    expect(errors({ ...valid, port }).port).toBeTruthy();
  });

  it("requires non-empty names, at most 63 bytes, and a name with a letter or digit (it becomes the schema)", () => {
    expect(errors({ ...valid, username: "   " }).username).toContain("Enter the username");
    expect(errors({ ...valid, database: "é".repeat(32) }).database).toContain("63 bytes");
    expect(errors({ ...valid, name: "!!!" }).name).toContain("letter or digit");
    expect(errors({ ...valid, password: "" }).password).toContain("Enter the password");
    // Hostile but legal names pass untouched.
    expect(ZCreateIntegrationSchema.parse({ ...valid, username: `o'brien "x"`, database: "Ünïcode db" })).toMatchObject({ username: `o'brien "x"`, database: "Ünïcode db" });
  });

  it("SSH on needs SSH Host, SSH Port and SSH User, each with its own message", () => {
    const e = errors({ ...valid, sshEnabled: "on", sshHost: "", sshPort: "", sshUser: "" });
    expect(e).toMatchObject({ sshHost: expect.any(String), sshPort: expect.any(String), sshUser: expect.any(String) });
    expect(ZCreateIntegrationSchema.parse({ ...valid, sshEnabled: "on", sshHost: "bastion.example.com", sshPort: "2222", sshUser: "stitch" })).toMatchObject({ sshHost: "bastion.example.com", sshPort: 2222, sshUser: "stitch" });
  });

  it("SSL: require by default, PEM shape checked, verify-ca needs the CA", () => {
    expect(ZCreateIntegrationSchema.parse({ ...valid, sslEnabled: "on" })).toMatchObject({ sslMode: "require", sslCa: null });
    expect(errors({ ...valid, sslEnabled: "on", sslMode: "verify-ca" }).sslCa).toContain("needs the CA certificate");
    expect(errors({ ...valid, sslEnabled: "on", sslMode: "verify-full", sslCa: "not a pem" }).sslCa).toContain("PEM");
    expect(ZCreateIntegrationSchema.parse({ ...valid, sslEnabled: "on", sslMode: "verify-full", sslCa: CA })).toMatchObject({ sslMode: "verify-full", sslCa: CA + "\n" });
    expect(errors({ ...valid, sslEnabled: "on", sslMode: "prefer" }).sslMode).toBeTruthy();
  });

  it("edit form: empty password keeps the saved one, id must be a uuid", () => {
    const rest = { host: valid.host, port: valid.port, username: valid.username, database: valid.database };
    expect(ZUpdateIntegrationSchema.parse({ ...rest, id: "0b6c9a4e-8f0e-4a51-9c43-0d5c7d1e2f3a", password: "" })).toMatchObject({ password: "" });
    expect(ZUpdateIntegrationSchema.safeParse({ ...rest, id: "x" }).success).toBe(false);
  });
});

describe("replication slot names", () => {
  it("stitch_<database> then stitch; characters a slot name cannot hold become _", () => {
    expect(slotNameCandidates("demo")).toEqual(["stitch_demo", "stitch"]);
    expect(slotNameCandidates(`My "Shop" DB`)).toEqual(["stitch_my__shop__db", "stitch"]);
    expect(slotNameCandidates("Ünïcode")[0]).toBe("stitch_unicode");
    expect(slotNameCandidates("x".repeat(80))[0]).toHaveLength(63);
  });
});
