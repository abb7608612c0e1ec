import { desc, eq, sql } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { integrations, jobRuns, type TJobStatus } from "@/db/schema";
import { syncStatusOf, type TSyncStatus } from "./sync-status";

export type TIntegrationSummary = {
  id: string;
  name: string;
  schemaName: string;
  flavour: "postgres" | "rds";
  status: TSyncStatus;
  lastError: string | null;
  lastStartedAt: Date | null;
  nextRunAt: Date | null;
};

/** The team's integrations with each one's latest job, for the dashboard. */
export async function listIntegrations(db: TDbOrTx, teamId: string): Promise<TIntegrationSummary[]> {
  const latest = db
    .selectDistinctOn([jobRuns.integrationId], {
      integrationId: jobRuns.integrationId,
      status: jobRuns.status,
      error: jobRuns.error,
      startedAt: jobRuns.startedAt,
    })
    .from(jobRuns)
    .where(eq(jobRuns.teamId, teamId))
    .orderBy(jobRuns.integrationId, desc(jobRuns.queuedAt))
    .as("latest");
  const rows = await db
    .select({
      id: integrations.id,
      name: integrations.name,
      schemaName: integrations.schemaName,
      flavour: integrations.flavour,
      paused: integrations.paused,
      nextRunAt: integrations.nextRunAt,
      jobStatus: latest.status,
      jobError: latest.error,
      jobStartedAt: latest.startedAt,
    })
    .from(integrations)
    .leftJoin(latest, eq(latest.integrationId, integrations.id))
    .where(eq(integrations.teamId, teamId))
    .orderBy(sql`lower(${integrations.name})`);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    schemaName: r.schemaName,
    flavour: r.flavour,
    status: syncStatusOf(r.paused, (r.jobStatus as TJobStatus | null) ?? null),
    lastError: r.jobStatus === "failed" ? r.jobError : null,
    lastStartedAt: r.jobStartedAt,
    nextRunAt: r.nextRunAt,
  }));
}
