import type { TDbOrTx } from "@/db/client";
import { recordAudit, type TAuditActor } from "@/lib/audit/record";
import type { TDestinationCheck } from "./check";
import type { TDestinationSettingsInput } from "./settings";

/** What an audit event says about destination settings: where they point, never the password. */
export function destinationAuditDetails(input: TDestinationSettingsInput): Record<string, unknown> {
  return {
    host: input.host,
    port: input.port,
    username: input.username,
    database: input.database,
    sslMode: input.sslMode,
    sslCertificate: input.sslCa ? "provided" : "none",
    passwordChanged: input.password !== "",
  };
}

/**
 * A destination change whose check failed saved nothing, but the attempt is a fact worth keeping: who
 * tried to point the warehouse where, and what failed (the check's own messages carry no secret).
 */
export async function recordDestinationCheckFailed(db: TDbOrTx, actor: TAuditActor, input: TDestinationSettingsInput, check: TDestinationCheck): Promise<void> {
  const failed = check.items.filter((i) => i.status === "fail");
  await recordAudit(db, actor, {
    action: "destination.update_failed",
    objectType: "destination",
    objectId: actor.teamId,
    details: { ...destinationAuditDetails(input), failed: failed.map((i) => i.id), error: failed.map((i) => i.detail).join(" ") },
  });
}
