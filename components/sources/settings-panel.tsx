"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { acceptHostKeyAction, createPublicationAction, createSlotAction, rerunReportAction } from "@/lib/integrations/actions";
import { Button, FormError } from "@/components/ui/field";
import type { TDiagnosis } from "@/lib/source/diagnose";
import type { TPrerequisiteReport } from "@/lib/source/prerequisites/types";
import { CheckSteps } from "./check-steps";
import { ConnectionForm, type TConnectionFormValues } from "./connection-form";
import { PrerequisiteReport } from "./prerequisite-report";

type TRun = { diagnosis: TDiagnosis; report: TPrerequisiteReport | null; reportError: string | null };

function fingerprint(hostKeyMessage: string): string | null {
  return /presented (SHA256:[A-Za-z0-9+/]{43})/.exec(hostKeyMessage)?.[1] ?? null;
}

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
  const router = useRouter();
  const [report, setReport] = useState(initialReport);
  // The re-run's steps show here; the form shows its own. Either may reveal a changed SSH host key.
  const [diagnosis, setDiagnosis] = useState<TDiagnosis | null>(null);
  const [formDiagnosis, setFormDiagnosis] = useState<TDiagnosis | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const keyFailure = [diagnosis, formDiagnosis].find((d) => d?.presentedHostKey && d.failure)?.failure;
  const changedKey = keyFailure ? fingerprint(keyFailure.message) : null;

  async function apply(p: Promise<{ ok: true; data: TRun } | { ok: false; error: string }>) {
    setPending(true);
    setError(null);
    const res = await p;
    setPending(false);
    if (!res.ok) return setError(res.error);
    setDiagnosis(res.data.diagnosis);
    setFormDiagnosis(null);
    if (res.data.report) setReport(res.data.report);
    if (res.data.reportError) setError(res.data.reportError);
    router.refresh();
  }

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
        {changedKey && canAcceptHostKey ? (
          <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
            <p>
              Accept <code className="font-mono">{changedKey}</code> as this SSH server&apos;s host key only if you know the server was changed on purpose.
            </p>
            <Button
              type="button"
              variant="danger"
              disabled={pending}
              onClick={async () => {
                setPending(true);
                const res = await acceptHostKeyAction({ id: integrationId, fingerprint: changedKey });
                setPending(false);
                if (!res.ok) return setError(res.error);
                await apply(rerunReportAction({ id: integrationId }));
              }}
            >
              Accept new host key
            </Button>
          </div>
        ) : changedKey ? (
          <p className="text-sm text-amber-800">Only an Admin can accept the SSH server&apos;s new host key.</p>
        ) : null}
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
