"use client";
import { useState, useTransition } from "react";
import { setVerifyAfterJobAction } from "@/lib/integrations/actions";

/**
 * The Settings tab's Verify & Repair section: `Verify after each job` (saved at once, audited). Viewers
 * see the setting without changing it.
 */
export function VerifySettings({ integrationId, initial, canEdit }: { integrationId: string; initial: boolean; canEdit: boolean }) {
  const [on, setOn] = useState(initial);
  const [pending, start] = useTransition();
  const [notice, setNotice] = useState<{ kind: "ok" | "error"; text: string } | null>(null);

  const change = (next: boolean) =>
    start(async () => {
      setNotice(null);
      const res = await setVerifyAfterJobAction({ id: integrationId, verifyAfterJob: next });
      if (res.ok) {
        setOn(res.data.verifyAfterJob);
        setNotice({ kind: "ok", text: next ? "Saved: each successful extraction job is followed by Verify." : "Saved: jobs are no longer verified automatically." });
      } else setNotice({ kind: "error", text: res.error });
    });

  return (
    <section aria-labelledby="verify-heading" className="space-y-3">
      <h2 id="verify-heading" className="text-lg font-semibold">
        Verify &amp; Repair
      </h2>
      <div className="space-y-2 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <label className="flex items-center gap-2 text-sm font-medium">
          <input type="checkbox" checked={on} disabled={!canEdit || pending} onChange={(e) => change(e.target.checked)} className="h-4 w-4" />
          Verify after each job
        </label>
        <p className="text-sm text-slate-600">
          Compares every tracked table at the source and the destination after each successful extraction (row counts and a hash per key range, down to
          the rows that differ). The verdicts show under Loading Reports and in the job&apos;s log. Verify and Repair can also be started from the buttons
          above.
        </p>
        {notice ? (
          <p role={notice.kind === "error" ? "alert" : "status"} className={`text-sm ${notice.kind === "error" ? "text-red-700" : "text-green-700"}`}>
            {notice.text}
          </p>
        ) : null}
      </div>
    </section>
  );
}
