import type { TDbOrTx } from "@/db/client";
import { auditEvents } from "@/db/schema";

export type TAuditActor = { teamId: string; userId: string | null; email: string | null; ipAddress?: string | null };

/**
 * The fields that carry secrets, by name. Redacting by field, not by a pattern over names, keeps facts
 * such as `passwordChanged` or `replicationKey` readable; a secret must never be put under another name.
 */
const SECRET_FIELDS = new Set(["password", "currentPassword", "newPassword", "passwordEnc", "privateKey", "privateKeyEnc", "token", "invitationToken", "tokenHash", "secret", "appSecret"]);

/** Replaces secret fields (at any depth) so the audit log can never leak one. */
function redact(details: Record<string, unknown>): Record<string, unknown> {
  const clean = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(clean) : v !== null && typeof v === "object" ? redact(v as Record<string, unknown>) : v;
  return Object.fromEntries(Object.entries(details).map(([k, v]) => [k, SECRET_FIELDS.has(k) ? "[redacted]" : clean(v)]));
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
