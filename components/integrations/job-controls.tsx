"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { runExtractionNowAction } from "@/app/(dashboard)/integrations/[id]/jobs/actions";

/**
 * The integration header's job buttons. `Run Extraction Now` queues an extract job; Pause / Stop sit
 * beside it (added by the scheduling work).
 */
export function JobControls({ integrationId, canRun }: { integrationId: string; canRun: boolean }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [notice, setNotice] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  if (!canRun) return null;
  const run = () =>
    start(async () => {
      setNotice(null);
      const res = await runExtractionNowAction({ integrationId });
      if (res.ok) {
        setNotice({ kind: "ok", text: "Extraction queued: follow it under Extraction Logs." });
        router.refresh();
      } else setNotice({ kind: "error", text: res.error });
    });
  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex gap-2">
        <button
          type="button"
          onClick={run}
          disabled={pending}
          className="inline-flex items-center justify-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:bg-indigo-300"
        >
          {pending ? "Queueing…" : "Run Extraction Now"}
        </button>
      </div>
      {notice ? (
        <p role={notice.kind === "error" ? "alert" : "status"} className={`max-w-sm text-right text-sm ${notice.kind === "error" ? "text-red-700" : "text-green-700"}`}>
          {notice.text}
        </p>
      ) : null}
    </div>
  );
}
