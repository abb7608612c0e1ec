import { and, eq } from "drizzle-orm";
import type pg from "pg";
import type { TDb } from "@/db/client";
import { integrations, type TIntegration } from "@/db/schema";
import { recordAudit, type TAuditActor } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { openSourceClient } from "@/lib/source/connection";
import type { TDiagnosis } from "@/lib/source/diagnose";
import { loadSourceConnection } from "@/lib/source/integration-connection";
import type { TPrerequisiteReport } from "@/lib/source/prerequisites";
import { serverVersionNum } from "@/lib/source/server-version";
import { createPublicationSql, createSlotSql, readSlotFacts } from "@/lib/source/prerequisites/slot";
import { fingerprintOf } from "@/lib/source/ssh-keys";
import { openSshTunnel } from "@/lib/source/ssh-tunnel";
import { checkConnection } from "./create-integration";
import { getIntegration } from "./get";

export type TReportRun = { diagnosis: TDiagnosis; report: TPrerequisiteReport | null; reportError: string | null };

type TAuditEvent = { action: string; details: Record<string, unknown> };

/** What a re-run found, for the audit log: the failed connection step or the failing items' ids. */
function reportFacts(run: TReportRun): Record<string, unknown> {
  const failing = run.report?.items.filter((i) => i.status === "fail").map((i) => i.id) ?? [];
  return { connected: run.diagnosis.ok, failedStep: run.diagnosis.failure?.step ?? null, failing, logBasedReady: run.report?.logBasedReady ?? null };
}

/**
 * Runs the report on the saved connection; the new report replaces the stored one, and `event` (what
 * the user did) is audited in the same transaction, with what the report found.
 */
async function runReportAudited(db: TDb, actor: TAuditActor, row: TIntegration, event: TAuditEvent): Promise<TReportRun> {
  const result = await checkConnection(await loadSourceConnection(db, row), row.flavour, row.schemaName);
  await db.transaction(async (tx) => {
    if (result.report) {
      await tx
        .update(integrations)
        .set({ lastReport: result.report, lastReportAt: new Date() })
        .where(and(eq(integrations.teamId, row.teamId), eq(integrations.id, row.id)));
    }
    await recordAudit(tx, actor, { action: event.action, objectType: "integration", objectId: row.id, details: { ...event.details, report: reportFacts(result) } });
  });
  return result;
}

/** Settings → re-run the checks on the saved connection; the new report replaces the stored one. */
export async function rerunPrerequisiteReport(db: TDb, actor: TAuditActor, id: string): Promise<TReportRun> {
  const row = await getIntegration(db, actor.teamId, id);
  return runReportAudited(db, actor, row, { action: "integration.prerequisites_rerun", details: { name: row.name } });
}

/** Creates the pgoutput publication beside a slot; the outcome is part of the slot's audit event. */
async function publicationBesideSlot(client: pg.Client, name: string): Promise<{ publication: string; created: boolean; error?: string }> {
  try {
    await client.query(createPublicationSql(name, await serverVersionNum(client)));
    return { publication: name, created: true };
  } catch (e) {
    // Often needs a superuser: the report then offers the publication on its own.
    return { publication: name, created: false, error: (e as Error).message };
  }
}

/**
 * Creates the integration's replication slot (`stitch_<database>`) with the chosen plugin, and for
 * pgoutput its publication when the user may; then re-runs the report. Both are audited.
 */
export async function createReplicationSlot(db: TDb, actor: TAuditActor, id: string, plugin: "wal2json" | "pgoutput"): Promise<TReportRun> {
  const row = await getIntegration(db, actor.teamId, id);
  const source = await openSourceClient(await loadSourceConnection(db, row), row.database, { applicationName: "pgreplicate-setup" });
  let details: Record<string, unknown>;
  try {
    const slot = await readSlotFacts(source.client, row.database, row.schemaName);
    if (slot.exists) throw new AppError("CONFLICT", `The slot ${slot.name} already exists (plugin ${slot.plugin ?? "none"}).`);
    await source.client.query("SET statement_timeout = '60s'");
    try {
      await source.client.query("SELECT * FROM pg_create_logical_replication_slot($1, $2)", [slot.name, plugin]);
    } catch (e) {
      throw new AppError("CONNECTION", `Creating the slot failed: ${(e as Error).message}. Run this as a superuser instead: ${createSlotSql(slot.name, plugin)}`);
    }
    details = { slot: slot.name, plugin };
    if (plugin === "pgoutput" && !slot.publicationExists) details.publication = await publicationBesideSlot(source.client, slot.publication);
  } finally {
    await source.close();
  }
  return runReportAudited(db, actor, row, { action: "integration.slot_create", details });
}

/** Creates the pgoutput publication FOR ALL TABLES (needs a superuser), then re-runs the report. */
export async function createPublication(db: TDb, actor: TAuditActor, id: string): Promise<TReportRun> {
  const row = await getIntegration(db, actor.teamId, id);
  const source = await openSourceClient(await loadSourceConnection(db, row), row.database, { applicationName: "pgreplicate-setup" });
  let name: string;
  try {
    const slot = await readSlotFacts(source.client, row.database, row.schemaName);
    name = slot.publication;
    if (!slot.publicationExists) {
      const sql = createPublicationSql(slot.publication, await serverVersionNum(source.client));
      try {
        await source.client.query(sql);
      } catch (e) {
        throw new AppError("CONNECTION", `Creating the publication failed: ${(e as Error).message}. Run this as a superuser instead: ${sql}`);
      }
    }
  } finally {
    await source.close();
  }
  return runReportAudited(db, actor, row, { action: "integration.publication_create", details: { publication: name } });
}

/**
 * An Admin accepts the SSH server's new host key: the key presented now must have the fingerprint
 * the Admin saw (so a key swapped in between is not accepted blindly).
 */
export async function acceptSshHostKey(db: TDb, actor: TAuditActor, id: string, fingerprint: string): Promise<{ fingerprint: string }> {
  const row = await getIntegration(db, actor.teamId, id);
  if (!row.sshEnabled) throw new AppError("VALIDATION", "This integration does not use an SSH tunnel.");
  const conn = await loadSourceConnection(db, row);
  if (!conn.ssh) throw new AppError("VALIDATION", "The team has no SSH key yet.");
  const tunnel = await openSshTunnel({ ...conn.ssh, knownHostKey: null }, { host: conn.host, port: conn.port });
  const presented = tunnel.hostKey;
  await tunnel.close();
  if (fingerprintOf(presented) !== fingerprint.trim())
    throw new AppError("CONFLICT", `The server now presents ${fingerprintOf(presented)}, not ${fingerprint.trim()}; nothing was changed. Check the server before accepting.`);
  await db.transaction(async (tx) => {
    await tx.update(integrations).set({ sshHostKey: presented, updatedAt: new Date() }).where(and(eq(integrations.teamId, actor.teamId), eq(integrations.id, row.id)));
    const details = { previous: row.sshHostKey ? fingerprintOf(row.sshHostKey) : null, accepted: fingerprint.trim() };
    await recordAudit(tx, actor, { action: "integration.ssh_host_key_accept", objectType: "integration", objectId: row.id, details });
  });
  return { fingerprint: fingerprintOf(presented) };
}
