import type PgBoss from "pg-boss";
import { startQueue } from "./queue";

declare global {
  // Kept on globalThis so Next's module reloads in dev reuse one queue; `var` is what `declare global` needs.
  var __webQueue: Promise<PgBoss> | undefined;
}

/**
 * The web server's queue handle, only for sending (Run Extraction Now): no maintenance, started once per
 * process (survives Next's module reloads in dev).
 */
export function getWebQueue(): Promise<PgBoss> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set in this process");
  globalThis.__webQueue ??= startQueue(url, { supervise: false }).catch((err: unknown) => {
    globalThis.__webQueue = undefined;
    throw err;
  });
  return globalThis.__webQueue;
}
