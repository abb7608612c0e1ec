import type PgBoss from "pg-boss";
import { startQueue } from "./queue";

const globalForQueue = globalThis as unknown as { __webQueue?: Promise<PgBoss> };

/**
 * The web server's queue handle, only for sending (Run Extraction Now): no maintenance, started once per
 * process (survives Next's module reloads in dev).
 */
export function getWebQueue(): Promise<PgBoss> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set in this process");
  globalForQueue.__webQueue ??= startQueue(url, { supervise: false }).catch((err: unknown) => {
    globalForQueue.__webQueue = undefined;
    throw err;
  });
  return globalForQueue.__webQueue;
}
