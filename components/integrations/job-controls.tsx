"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import {
  pauseIntegrationAction,
  repairNowAction,
  runExtractionNowAction,
  stopExtractionAction,
  unpauseIntegrationAction,
  verifyNowAction,
} from "@/lib/jobs/actions";
import { useIntegrationState } from "./integration-state";
import { StatusBadge } from "./status-badge";

type TActionResultLike = { ok: true } | { ok: false; error: string };

/**
 * The integration header's job buttons: `Verify`, `Repair`, `Run Extraction Now`, `Pause Integration` /
 * `Unpause Integration` and, while a job runs, `Stop Extraction`. The integration's state is polled so the
 * buttons follow jobs started by the schedule or by someone else.
 */
export function JobControls({ integrationId, canRun, initialPaused = false }: { integrationId: string; canRun: boolean; initialPaused?: boolean }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, start] = useTransition();
  // Which button's action is in flight: only that one says "Working…".
  const [busy, setBusy] = useState<"verify" | "repair" | "run" | null>(null);
  const [notice, setNotice] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const state = useIntegrationState(integrationId);
  const paused = state.data?.paused ?? initialPaused;
  const active = state.data?.activeJobStatus ?? null;

  const act = (fn: () => Promise<TActionResultLike>, okText: string, which: "verify" | "repair" | "run" | null = null) =>
    start(async () => {
      setBusy(which);
      setNotice(null);
      const res = await fn();
      if (res.ok) {
        setNotice({ kind: "ok", text: okText });
        await queryClient.invalidateQueries({ queryKey: ["integration-state", integrationId] });
        await queryClient.invalidateQueries({ queryKey: ["jobs", integrationId] });
        router.refresh();
      } else setNotice({ kind: "error", text: res.error });
    });

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex items-center gap-2">
        {state.data ? (
          <span className="mr-2 flex items-center gap-2 text-sm text-slate-600">
            Sync Status <StatusBadge status={state.data.status} />
          </span>
        ) : null}
        {canRun ? (
          <>
            {active ? (
              <button
                type="button"
                onClick={() => act(() => stopExtractionAction({ integrationId }), "Stopping: the job ends after its current batch, keeping its saved bookmarks.")}
                disabled={pending}
                className="inline-flex items-center justify-center rounded-md bg-red-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-red-500 disabled:bg-red-300"
              >
                Stop Extraction
              </button>
            ) : null}
            <button
              type="button"
              onClick={() =>
                act(
                  () => (paused ? unpauseIntegrationAction({ integrationId }) : pauseIntegrationAction({ integrationId })),
                  paused ? "Unpaused: the schedule runs again." : "Paused: no new jobs start until you unpause.",
                )
              }
              disabled={pending}
              className="inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-700 shadow-sm hover:bg-slate-50 disabled:text-slate-400"
            >
              {paused ? "Unpause Integration" : "Pause Integration"}
            </button>
            <button
              type="button"
              onClick={() => act(() => verifyNowAction({ integrationId }), "Verify queued: its verdicts show under Loading Reports and Extraction Logs.", "verify")}
              disabled={pending || active === "running"}
              title="Compare every tracked table at the source and the destination"
              className="inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-700 shadow-sm hover:bg-slate-50 disabled:text-slate-400"
            >
              {pending && busy === "verify" ? "Working…" : "Verify"}
            </button>
            <button
              type="button"
              onClick={() => act(() => repairNowAction({ integrationId }), "Repair queued: it re-copies only the rows Verify finds different.", "repair")}
              disabled={pending || active === "running"}
              title="Verify, re-copy only the rows that differ, then verify again"
              className="inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-700 shadow-sm hover:bg-slate-50 disabled:text-slate-400"
            >
              {pending && busy === "repair" ? "Working…" : "Repair"}
            </button>
            <button
              type="button"
              onClick={() => act(() => runExtractionNowAction({ integrationId }), "Extraction queued: follow it under Extraction Logs.", "run")}
              disabled={pending || active === "running"}
              className="inline-flex items-center justify-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:bg-indigo-300"
            >
              {pending && busy === "run" ? "Working…" : "Run Extraction Now"}
            </button>
          </>
        ) : null}
      </div>
      {notice ? (
        <p role={notice.kind === "error" ? "alert" : "status"} className={`max-w-sm text-right text-sm ${notice.kind === "error" ? "text-red-700" : "text-green-700"}`}>
          {notice.text}
        </p>
      ) : null}
    </div>
  );
}
