"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { acceptHostKeyAction, rerunReportAction } from "@/lib/integrations/actions";
import type { TDiagnosis } from "@/lib/source/diagnose";
import type { TPrerequisiteReport } from "@/lib/source/prerequisites/types";

type TRun = { diagnosis: TDiagnosis; report: TPrerequisiteReport | null; reportError: string | null };

function fingerprint(hostKeyMessage: string): string | null {
  return /presented (SHA256:[A-Za-z0-9+/]{43})/.exec(hostKeyMessage)?.[1] ?? null;
}

/**
 * The Settings tab's prerequisite runs: the latest report, the steps of the last re-run or form check,
 * and the changed SSH host key either of them revealed (with accepting it, then re-running).
 */
export function usePrerequisiteRuns(integrationId: string, initialReport: TPrerequisiteReport | null) {
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

  async function acceptHostKey(key: string) {
    setPending(true);
    const res = await acceptHostKeyAction({ id: integrationId, fingerprint: key });
    setPending(false);
    if (!res.ok) return setError(res.error);
    await apply(rerunReportAction({ id: integrationId }));
  }

  return { report, setReport, diagnosis, setFormDiagnosis, error, pending, changedKey, apply, acceptHostKey };
}
