import { describe, expect, it } from "vitest";
import { classifyConnectError } from "@/lib/source/connect-errors";
import { outputPluginItem, slotsAndSendersItem, standbySettingsItem, versionItem, walLevelItem, type TServerFacts } from "@/lib/source/prerequisites/server";
import ssh2 from "ssh2";
import { fingerprintOf, generateSshKeyPair } from "@/lib/source/ssh-keys";

const facts: TServerFacts = {
  versionNum: 150020,
  version: "15.20",
  walLevel: "logical",
  maxReplicationSlots: 10,
  usedReplicationSlots: 1,
  maxWalSenders: 10,
  usedWalSenders: 0,
  outputPluginLibraries: "pgoutput, test_decoding",
  outputPluginLibrariesHidden: false,
  inRecovery: false,
  maxStandbyStreamingDelayMs: 30000,
  maxStandbyArchiveDelayMs: -1,
  hotStandbyFeedback: "off",
};
const ctx = { host: "db", port: 5432, user: "u", database: "d", sslMode: "require", timeoutMs: 10_000 };

describe("check interpretation", () => {
  it("versions: 9.3 is fine except for log-based, 9.2 fails, 15 passes", () => {
    expect(versionItem({ ...facts, versionNum: 90224, version: "9.2.24" }).status).toBe("fail");
    expect(versionItem({ ...facts, versionNum: 90325, version: "9.3.25" })).toMatchObject({ status: "fail", logBasedOnly: true });
    expect(versionItem(facts).status).toBe("pass");
  });

  it("wal_level replica fails with the postgresql.conf line, or the RDS parameter for RDS", () => {
    expect(walLevelItem({ ...facts, walLevel: "replica" }, { rds: false }).fix).toEqual({ kind: "postgresql.conf", text: expect.stringContaining("wal_level = logical") });
    expect(walLevelItem({ ...facts, walLevel: "replica" }, { rds: true }).fix?.text).toContain("rds.logical_replication = 1");
  });

  it("no free slot fails; fewer than 5 warns", () => {
    expect(slotsAndSendersItem({ ...facts, maxReplicationSlots: 1, usedReplicationSlots: 1 }, { rds: false }, false).status).toBe("fail");
    expect(slotsAndSendersItem({ ...facts, maxReplicationSlots: 1, usedReplicationSlots: 1 }, { rds: false }, true).status).toBe("warn");
    expect(slotsAndSendersItem(facts, { rds: false }, false).status).toBe("pass");
  });

  it("output_plugin_libraries: skip when absent, fix line adds wal2json, fail when the slot's plugin is not listed", () => {
    expect(outputPluginItem({ ...facts, outputPluginLibraries: null }, null).status).toBe("skip");
    const warn = outputPluginItem(facts, null);
    expect(warn).toMatchObject({ status: "warn", fix: { kind: "postgresql.conf", text: expect.stringContaining("output_plugin_libraries = 'pgoutput, test_decoding, wal2json'") } });
    expect(outputPluginItem(facts, "wal2json").status).toBe("fail");
    expect(outputPluginItem(facts, "pgoutput").status).toBe("pass");
    expect(outputPluginItem({ ...facts, outputPluginLibraries: "pgoutput, wal2json" }, "wal2json").status).toBe("pass");
  });

  it("standby advice only on replicas, naming only the settings that need changing", () => {
    expect(standbySettingsItem(facts, { rds: false }).status).toBe("skip");
    const r = standbySettingsItem({ ...facts, inRecovery: true }, { rds: false });
    expect(r.fix?.text).toContain("max_standby_streaming_delay = 8h");
    expect(r.fix?.text).toContain("hot_standby_feedback = on");
    expect(r.fix?.text).not.toContain("archive"); // -1 waits forever: fine
  });
});

describe("connect error classification", () => {
  const err = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
  it.each([
    [err("getaddrinfo ENOTFOUND x", "ENOTFOUND"), "dns"],
    [err("connect ECONNREFUSED", "ECONNREFUSED"), "tcp"],
    [err("timeout expired"), "tcp"],
    [err("The server does not support SSL connections"), "tls"],
    [err("self-signed certificate in certificate chain", "SELF_SIGNED_CERT_IN_CHAIN"), "tls"],
    [err('password authentication failed for user "u"', "28P01"), "authentication"],
    [err('no pg_hba.conf entry for host "1.2.3.4", user "u", database "d", no encryption', "28000"), "authentication"],
    [err('database "d" does not exist', "3D000"), "database"],
    [err("permission denied for database d", "42501"), "database"],
  ])("%s → %s", (e, step) => {
    expect(classifyConnectError(e, ctx).step).toBe(step);
  });
  it("pg_hba refusing unencrypted connections suggests SSL", () => {
    expect(classifyConnectError(err('no pg_hba.conf entry for host "x", no encryption', "28000"), ctx).message).toContain("Connect using SSL");
  });
});

describe("SSH keys", () => {
  it("generates OpenSSH ed25519 keys; fingerprints look like ssh-keygen's", () => {
    const k = generateSshKeyPair("c");
    expect(k.publicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+ c$/);
    expect(fingerprintOf(k.publicKey)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
  it("every key pair made loads in the SSH client (ssh2 alone writes an unloadable one about once in 250)", () => {
    const unloadable: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const k = generateSshKeyPair("team");
      const parsed = ssh2.utils.parseKey(k.privateKey);
      if (parsed instanceof Error || Array.isArray(parsed) || parsed.getPublicSSH().toString("base64") !== k.publicKey.split(" ")[1]) unloadable.push(k.privateKey);
    }
    expect(unloadable).toEqual([]);
  });
});
