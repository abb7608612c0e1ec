import { and, eq } from "drizzle-orm";
import type { TDb } from "@/db/client";
import { integrations } from "@/db/schema";
import { recordAudit, type TAuditActor } from "@/lib/audit/record";
import { SECRET_CONTEXT, seal } from "@/lib/crypto";
import { connectionFromIntegration } from "@/lib/source/connection";
import { AppError } from "@/lib/errors";
import { credentialTargetChanges, passwordAgainMessage } from "./credential-target";
import { pinnedSshHostKey } from "./ssh-pin";
import { getIntegration } from "./get";
import { checkConnection, connectionForFields, type TCheckResult } from "./create-integration";
import type { TUpdateIntegrationInput } from "./update-input";

/**
 * Edits an integration's connection (credentials, SSH, SSL, default method). The checks run again
 * first; nothing is saved when the connection fails (the failed attempt is audited). The destination
 * schema never changes. The saved password is reused only for the server it was saved for.
 */
export async function updateIntegration(db: TDb, actor: TAuditActor, input: TUpdateIntegrationInput): Promise<TCheckResult> {
  const current = await getIntegration(db, actor.teamId, input.id);
  const retarget = input.password ? [] : credentialTargetChanges(current, input);
  if (retarget.length > 0) throw new AppError("VALIDATION", "Check the highlighted fields.", { password: passwordAgainMessage(retarget) });
  const password = input.password ? input.password : connectionFromIntegration(current).password;
  const knownHostKey = await pinnedSshHostKey(db, actor, current, input);
  const conn = await connectionForFields(db, actor, input, password, knownHostKey);
  const { diagnosis, report, reportError } = await checkConnection(conn, current.flavour);
  if (!diagnosis.ok) {
    await recordAudit(db, actor, {
      action: "integration.update_failed",
      objectType: "integration",
      objectId: current.id,
      details: { host: input.host, port: input.port, username: input.username, sshHost: input.sshHost, sslMode: input.sslMode, failedStep: diagnosis.failure?.step ?? null, error: diagnosis.failure?.message ?? null },
    });
    return { saved: false, diagnosis };
  }
  const changes = {
    host: input.host,
    port: input.port,
    username: input.username,
    database: input.database,
    sshEnabled: input.sshEnabled,
    sshHost: input.sshHost,
    sshPort: input.sshPort,
    sshUser: input.sshUser,
    sslMode: input.sslMode,
    sslCa: input.sslCa,
    defaultMethod: input.logBased ? ("log_based" as const) : ("full_table" as const),
  };
  const changed = Object.entries(changes)
    .filter(([k, v]) => current[k as keyof typeof changes] !== v)
    .map(([k]) => k);
  if (input.password) changed.push("password");
  await db.transaction(async (tx) => {
    await tx
      .update(integrations)
      .set({
        ...changes,
        // Sealed again on every save: a value from before row binding (v1) is bound (v2) from now on.
        passwordEnc: seal(password, SECRET_CONTEXT.integrationPassword(current)),
        // Kept while the tunnel is off, so turning it off and on cannot forget a pinned key.
        sshHostKey: input.sshEnabled ? diagnosis.sshHostKey : current.sshHostKey,
        lastReport: report,
        lastReportAt: report ? new Date() : current.lastReportAt,
        updatedAt: new Date(),
      })
      .where(and(eq(integrations.teamId, actor.teamId), eq(integrations.id, current.id)));
    await recordAudit(tx, actor, { action: "integration.update", objectType: "integration", objectId: current.id, details: { changed } });
  });
  return { saved: true, id: current.id, diagnosis, report, reportError };
}
