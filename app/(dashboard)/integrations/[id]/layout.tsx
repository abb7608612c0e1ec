import type { ReactNode } from "react";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { getIntegration } from "@/lib/integrations/get";
import { AppError } from "@/lib/errors";
import { IntegrationTabs } from "@/components/integrations/tabs";
import { ReportBanner } from "@/components/sources/report-banner";
import { JobControls } from "@/components/integrations/job-controls";
import { LastJobFailure } from "@/components/integrations/last-job-failure";
import { hasRole } from "@/lib/auth/roles";
import { requireSessionContext } from "@/lib/server/session";

export default async function IntegrationLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  const session = await requireSessionContext();
  const { id } = await params;
  const integration = await getIntegration(getDb(), session.team.id, id).catch((e: unknown) => {
    if (e instanceof AppError && e.code === "NOT_FOUND") notFound();
    throw e;
  });
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold">{integration.name}</h1>
          <p className="text-sm text-slate-600">
            {integration.flavour === "rds" ? "Amazon PostgreSQL RDS" : "PostgreSQL"} · destination schema{" "}
            <code className="font-mono">{integration.schemaName}</code>
          </p>
        </div>
        {/* Job controls (Run Extraction Now, Pause, Stop): components/integrations/job-controls.tsx */}
        <JobControls integrationId={integration.id} canRun={hasRole(session.role, "member")} initialPaused={integration.paused} />
      </div>
      <LastJobFailure integrationId={integration.id} />
      <ReportBanner integrationId={integration.id} lastReport={integration.lastReport} />
      <IntegrationTabs id={integration.id} />
      {children}
    </div>
  );
}
