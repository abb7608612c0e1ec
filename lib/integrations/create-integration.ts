import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { TDb, TDbOrTx } from "@/db/client";
import { integrations } from "@/db/schema";
import { recordAudit, type TAuditActor } from "@/lib/audit/record";
import { SECRET_CONTEXT, seal } from "@/lib/crypto";
import { reservedSchemaProblem } from "@/lib/destination/ownership";
import { AppError } from "@/lib/errors";
import { schemaNameFromIntegrationName } from "@/lib/naming/identifiers";
import type { TSourceConnection } from "@/lib/source/connection";
import { diagnoseConnection, type TDiagnosis } from "@/lib/source/diagnose";
import { runPrerequisiteReport, type TPrerequisiteReport } from "@/lib/source/prerequisites";
import { ensureTeamSshKey, loadTeamSshPrivateKey } from "@/lib/source/ssh-keys";
import type { TSourceConnectionFields } from "@/lib/source/connection-input";
import { describeSchedule, scheduleFromInput, type TScheduleParsed } from "@/lib/schedule/options";
import { scheduleColumnsForNewIntegration } from "@/lib/schedule/save";
import type { TCreateIntegrationInput } from "./create-input";

export type TCheckResult =
  | { saved: true; id: string; diagnosis: TDiagnosis; report: TPrerequisiteReport | null; reportError: string | null }
  | { saved: false; diagnosis: TDiagnosis };

/** The destination schema must be unique in the team; the message goes next to Integration Name. */
export async function assertSchemaNameFree(db: TDbOrTx, teamId: string, schemaName: string): Promise<void> {
  if (!schemaName) throw new AppError("VALIDATION", "Check the highlighted fields.", { name: "The name needs at least one letter or digit: it becomes the destination schema" });
  const reserved = reservedSchemaProblem(schemaName);
  if (reserved) throw new AppError("VALIDATION", "Check the highlighted fields.", { name: reserved });
  const [taken] = await db
    .select({ name: integrations.name })
    .from(integrations)
    .where(and(eq(integrations.teamId, teamId), eq(integrations.schemaName, schemaName)))
    .limit(1);
  if (taken) throw new AppError("CONFLICT", "Check the highlighted fields.", { name: `The integration "${taken.name}" already uses the destination schema ${schemaName}; choose another name.` });
}

/** The in-memory connection for a form's fields (the team's SSH key loaded, or made, when the tunnel is on). */
export async function connectionForFields(
  db: TDbOrTx,
  actor: TAuditActor,
  fields: TSourceConnectionFields,
  password: string,
  knownHostKey: string | null,
): Promise<TSourceConnection> {
  let ssh: TSourceConnection["ssh"] = null;
  if (fields.sshEnabled && fields.sshHost && fields.sshUser) {
    await ensureTeamSshKey(db, actor.teamId, actor);
    const privateKey = (await loadTeamSshPrivateKey(db, actor.teamId))!;
    ssh = { host: fields.sshHost, port: fields.sshPort, user: fields.sshUser, privateKey, knownHostKey };
  }
  return { host: fields.host, port: fields.port, user: fields.username, password, database: fields.database, sslMode: fields.sslMode, sslCa: fields.sslCa, ssh };
}

/** Checks the connection, runs the prerequisite report on it, and closes it. */
export async function checkConnection(
  conn: TSourceConnection,
  flavour: "postgres" | "rds",
  /** A saved integration's destination schema: the report then knows its own slot (see readSlotFacts). */
  integrationSchema: string | null = null,
): Promise<{ diagnosis: TDiagnosis; report: TPrerequisiteReport | null; reportError: string | null }> {
  const { diagnosis, session } = await diagnoseConnection(conn);
  if (!session) return { diagnosis, report: null, reportError: null };
  try {
    return { diagnosis, report: await runPrerequisiteReport(session.client, { flavour, database: conn.database, connection: conn, integrationSchema }), reportError: null };
  } catch (e) {
    return { diagnosis, report: null, reportError: `The prerequisite report could not run: ${(e as Error).message}` };
  } finally {
    await session.close();
  }
}

/**
 * Check and Save: a working connection saves the integration (password sealed, SSH host key
 * remembered) with its prerequisite report and the schedule chosen on the form, audited in the same
 * transaction; a failing one saves nothing and says which step failed.
 */
export async function createIntegration(db: TDb, actor: TAuditActor, input: TCreateIntegrationInput, schedule?: TScheduleParsed): Promise<TCheckResult> {
  const schemaName = schemaNameFromIntegrationName(input.name);
  await assertSchemaNameFree(db, actor.teamId, schemaName);
  const conn = await connectionForFields(db, actor, input, input.password, null);
  const { diagnosis, report, reportError } = await checkConnection(conn, input.flavour);
  if (!diagnosis.ok) return { saved: false, diagnosis };
  // The id is chosen here so the password can be sealed bound to its row in the same insert.
  const newId = randomUUID();
  const id = await db.transaction(async (tx) => {
    await assertSchemaNameFree(tx, actor.teamId, schemaName);
    const rows = await tx
      .insert(integrations)
      .values({
        id: newId,
        teamId: actor.teamId,
        name: input.name,
        schemaName,
        flavour: input.flavour,
        host: input.host,
        port: input.port,
        username: input.username,
        passwordEnc: seal(input.password, SECRET_CONTEXT.integrationPassword({ teamId: actor.teamId, id: newId })),
        database: input.database,
        includeSchemaNames: input.includeSchemaNames,
        sshEnabled: input.sshEnabled,
        sshHost: input.sshHost,
        sshPort: input.sshPort,
        sshUser: input.sshUser,
        sshHostKey: diagnosis.sshHostKey,
        sslMode: input.sslMode,
        sslCa: input.sslCa,
        defaultMethod: input.logBased ? "log_based" : "full_table",
        lastReport: report,
        lastReportAt: report ? new Date() : null,
        ...(schedule ? scheduleColumnsForNewIntegration(schedule) : {}),
      })
      .onConflictDoNothing()
      .returning({ id: integrations.id });
    if (!rows[0]) throw new AppError("CONFLICT", "Check the highlighted fields.", { name: `Another integration already uses the destination schema ${schemaName}; choose another name.` });
    await recordAudit(tx, actor, {
      action: "integration.create",
      objectType: "integration",
      objectId: rows[0].id,
      details: {
        name: input.name,
        schemaName,
        flavour: input.flavour,
        host: input.host,
        port: input.port,
        database: input.database,
        ssh: input.sshEnabled,
        sslMode: input.sslMode,
        ...(schedule ? { schedule: describeSchedule(scheduleFromInput(schedule)) } : {}),
      },
    });
    return rows[0].id;
  });
  return { saved: true, id, diagnosis, report, reportError };
}
