import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, mkdirSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports";

const BIN = "/usr/lib/postgresql/15/bin";

export type TPg15Cluster = { host: string; port: number; superuserUrl: string; caPem: string; dataDir: string; stop(): void };

/** Runs a command as the unprivileged `postgres` user when we are root (PostgreSQL refuses root). */
function asPostgres(cmd: string, args: string[]): void {
  const root = userInfo().uid === 0;
  const res = root ? spawnSync("runuser", ["-u", "postgres", "--", cmd, ...args], { encoding: "utf8" }) : spawnSync(cmd, args, { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${res.stderr || res.stdout}`);
}

function supportsSetting(name: string): boolean {
  const root = userInfo().uid === 0;
  const res = root
    ? spawnSync("runuser", ["-u", "postgres", "--", `${BIN}/postgres`, "--describe-config"], { encoding: "utf8" })
    : spawnSync(`${BIN}/postgres`, ["--describe-config"], { encoding: "utf8" });
  return res.stdout.split("\n").some((l) => l.startsWith(`${name}\t`));
}

/** Makes a CA and a server certificate for localhost / 127.0.0.1. */
function makeCertificates(dir: string): { caPem: string } {
  const ssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  ssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=pgreplicate test CA", "-keyout", "ca.key", "-out", "ca.crt"]);
  ssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"]);
  writeFileSync(join(dir, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  ssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.crt"]);
  return { caPem: readFileSync(join(dir, "ca.crt"), "utf8") };
}

/**
 * Debian's PostgreSQL 15 with wal2json, SSL on (our own CA), wal_level=logical, on a private port and
 * data folder; the real thing a source runs.
 */
export async function startPg15(): Promise<TPg15Cluster> {
  const base = mkdtempSync(join(tmpdir(), "pgr-pg15-"));
  const dataDir = join(base, "data");
  const certDir = join(base, "certs");
  mkdirSync(certDir);
  const { caPem } = makeCertificates(certDir);
  const password = "pg15-test-superuser";
  writeFileSync(join(base, "pw"), password + "\n");
  if (userInfo().uid === 0) {
    for (const p of [base, certDir, join(base, "pw"), ...["ca.crt", "server.crt", "server.key"].map((f) => join(certDir, f))]) chownSync(p, 101, 104);
    execFileSync("chown", ["-R", "postgres:postgres", base]);
  }
  asPostgres(`${BIN}/initdb`, ["-D", dataDir, "-U", "postgres", `--pwfile=${join(base, "pw")}`, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"]);
  const port = await freePort();
  const conf = [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${base}'`,
    "wal_level = logical",
    "max_replication_slots = 20",
    "max_wal_senders = 20",
    "ssl = on",
    `ssl_cert_file = '${join(certDir, "server.crt")}'`,
    `ssl_key_file = '${join(certDir, "server.key")}'`,
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    // Newer minor releases only allow listed output plugins; wal2json is not in the default.
    ...(supportsSetting("output_plugin_libraries") ? ["output_plugin_libraries = 'pgoutput, test_decoding, wal2json'"] : []),
  ];
  appendFileSync(join(dataDir, "postgresql.conf"), "\n" + conf.join("\n") + "\n");
  writeFileSync(
    join(dataDir, "pg_hba.conf"),
    ["local all all scram-sha-256", "host all all 127.0.0.1/32 scram-sha-256", "host replication all 127.0.0.1/32 scram-sha-256", ""].join("\n"),
  );
  asPostgres(`${BIN}/pg_ctl`, ["-D", dataDir, "-l", join(base, "server.log"), "-w", "-t", "60", "start"]);
  return {
    host: "127.0.0.1",
    port,
    superuserUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    caPem,
    dataDir,
    stop() {
      try {
        asPostgres(`${BIN}/pg_ctl`, ["-D", dataDir, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  };
}
