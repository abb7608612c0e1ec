"use client";
import { createPublicationAction, createSlotAction, rerunReportAction } from "@/lib/integrations/actions";
import { Button, FormError } from "@/components/ui/field";
import type { TPrerequisiteReport } from "@/lib/source/prerequisites/types";
import { CheckSteps } from "./check-steps";
import { ConnectionForm, type TConnectionFormValues } from "./connection-form";
import { HostKeyPrompt } from "./host-key-prompt";
import { PrerequisiteReport } from "./prerequisite-report";
import { usePrerequisiteRuns } from "./use-prerequisite-runs";

/** The Settings tab: edit the connection (checks re-run before saving) and the live prerequisite report. */
export function SettingsPanel({
  integrationId,
  flavour,
  initial,
  report: initialReport,
  canEdit,
  canAcceptHostKey,
  hostKeyFingerprint,
}: {
  integrationId: string;
  flavour: "postgres" | "rds";
  initial: TConnectionFormValues;
  report: TPrerequisiteReport | null;
  canEdit: boolean;
  canAcceptHostKey: boolean;
  hostKeyFingerprint: string | null;
}) {
  const { report, setReport, diagnosis, setFormDiagnosis, error, pending, changedKey, apply, acceptHostKey } = usePrerequisiteRuns(integrationId, initialReport);

  return (
    <div className="space-y-8">
      <section className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 className="text-lg font-semibold">Prerequisites</h2>
          <Button type="button" variant="secondary" disabled={pending} onClick={() => void apply(rerunReportAction({ id: integrationId }))}>
            {pending ? "Checking…" : "Re-run checks"}
          </Button>
        </div>
        <FormError message={error} />
        {diagnosis && !diagnosis.ok ? <CheckSteps diagnosis={diagnosis} /> : null}
        <HostKeyPrompt changedKey={changedKey} canAccept={canAcceptHostKey} pending={pending} onAccept={acceptHostKey} />
        {report ? (
          <PrerequisiteReport
            report={report}
            actions={
              canEdit
                ? {
                    onCreateSlot: (plugin) => apply(createSlotAction({ id: integrationId, plugin })),
                    onCreatePublication: () => apply(createPublicationAction({ id: integrationId })),
                  }
                : {}
            }
          />
        ) : (
          <p className="text-sm text-slate-600">No report yet: re-run the checks.</p>
        )}
      </section>

      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Connection settings</h2>
        {hostKeyFingerprint ? (
          <p className="text-xs text-slate-600">
            Remembered SSH host key: <code className="font-mono">{hostKeyFingerprint}</code>
          </p>
        ) : null}
        {canEdit ? (
          <ConnectionForm
            mode="edit"
            flavour={flavour}
            integrationId={integrationId}
            initial={initial}
            onResult={(r) => {
              setFormDiagnosis(r.diagnosis);
              if (r.saved && r.report) setReport(r.report);
            }}
          />
        ) : (
          <p className="text-sm text-slate-600">Your role can read these settings but not change them.</p>
        )}
      </section>
    </div>
  );
}
