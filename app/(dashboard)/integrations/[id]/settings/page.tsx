import { getDb } from "@/db/client";
import { hasRole } from "@/lib/auth/roles";
import { getIntegration } from "@/lib/integrations/get";
import { parseStoredReport } from "@/lib/source/prerequisites/types";
import { fingerprintOf } from "@/lib/source/ssh-keys";
import { SettingsPanel } from "@/components/sources/settings-panel";
import { ScheduleSection } from "@/components/schedule/schedule-section";
import { VerifySettings } from "@/components/integrations/verify-settings";
import { scheduleFromColumns, scheduleToInput } from "@/lib/schedule/options";
import { requireSessionContext } from "@/lib/server/session";

/** Settings tab: connection settings (no secrets sent to the browser) and the prerequisite report. */
export default async function IntegrationSettingsPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireSessionContext();
  const { id } = await params;
  const row = await getIntegration(getDb(), session.team.id, id);
  return (
    <div className="space-y-8">
      <ScheduleSection integrationId={row.id} initial={scheduleToInput(scheduleFromColumns(row), row.frequencyMinutes)} canEdit={hasRole(session.role, "member")} />
      <VerifySettings integrationId={row.id} initial={row.verifyAfterJob} canEdit={hasRole(session.role, "member")} />
      <SettingsPanel
        integrationId={row.id}
        flavour={row.flavour}
        report={parseStoredReport(row.lastReport)}
        canEdit={hasRole(session.role, "member")}
        canAcceptHostKey={hasRole(session.role, "admin")}
        hostKeyFingerprint={row.sshHostKey ? fingerprintOf(row.sshHostKey) : null}
        initial={{
          name: row.name,
          schemaName: row.schemaName,
          host: row.host,
          port: row.port,
          username: row.username,
          database: row.database,
          includeSchemaNames: row.includeSchemaNames,
          sshEnabled: row.sshEnabled,
          sshHost: row.sshHost ?? "",
          sshPort: row.sshPort,
          sshUser: row.sshUser ?? "",
          sslMode: row.sslMode,
          sslCa: row.sslCa ?? "",
          logBased: row.defaultMethod === "log_based",
        }}
      />
    </div>
  );
}
