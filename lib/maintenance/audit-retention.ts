import { lt } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { auditEvents } from "@/db/schema";

/** Audit events are kept a year. */
export const AUDIT_RETENTION_DAYS = 365;

/** Deletes audit events older than the retention period; returns how many went. Safe to run anywhere, any time. */
export async function deleteExpiredAuditEvents(db: TDbOrTx, now: Date = new Date(), retentionDays = AUDIT_RETENTION_DAYS): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const result = await db.delete(auditEvents).where(lt(auditEvents.createdAt, cutoff));
  return result.rowCount ?? 0;
}

/**
 * Runs the audit retention now and then every `intervalMs` (hourly by default) in the worker. Several
 * workers may run it; the delete is idempotent. Returns a stop function for shutdown.
 */
export function startAuditRetention(
  db: TDbOrTx,
  opts: { intervalMs?: number; onDeleted?: (count: number) => void; onError?: (err: unknown) => void } = {},
): () => void {
  const tick = () => {
    deleteExpiredAuditEvents(db)
      .then((n) => {
        if (n > 0) opts.onDeleted?.(n);
      })
      .catch((err: unknown) => opts.onError?.(err));
  };
  tick();
  const timer = setInterval(tick, opts.intervalMs ?? 60 * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
