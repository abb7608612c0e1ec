import type { TDbOrTx } from "@/db/client";
import { auditEvents } from "@/db/schema";

export type TAuditActor = { teamId: string; userId: string | null; email: string | null; ipAddress?: string | null };

const SECRET_KEYS = /pass|secret|private|token|key$/i;

/** Drops anything that looks like a secret, so the audit log can never leak one. */
function redact(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).map(([k, v]) => [k, SECRET_KEYS.test(k) ? "[redacted]" : v]));
}

export async function recordAudit(
  db: TDbOrTx,
  actor: TAuditActor,
  event: { action: string; objectType: string; objectId?: string | null; details?: Record<string, unknown> },
): Promise<void> {
  await db.insert(auditEvents).values({
    teamId: actor.teamId,
    actorUserId: actor.userId,
    actorEmail: actor.email,
    action: event.action,
    objectType: event.objectType,
    objectId: event.objectId ?? null,
    details: redact(event.details ?? {}),
    ipAddress: actor.ipAddress ?? null,
  });
}
