"use client";
import {
  pauseIntegrationAction,
  repairNowAction,
  runExtractionNowAction,
  stopExtractionAction,
  unpauseIntegrationAction,
  verifyNowAction,
} from "@/lib/jobs/actions";
import type { useJobActions } from "./use-job-actions";

const SECONDARY = "inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-700 shadow-sm hover:bg-slate-50 disabled:text-slate-400";

/** The job buttons of the integration header, in their on-screen order. */
export function JobButtons({
  integrationId,
  paused,
  active,
  actions: { act, pending, busy },
}: {
  integrationId: string;
  paused: boolean;
  active: string | null;
  actions: ReturnType<typeof useJobActions>;
}) {
  return (
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
        className={SECONDARY}
      >
        {paused ? "Unpause Integration" : "Pause Integration"}
      </button>
      <button
        type="button"
        onClick={() => act(() => verifyNowAction({ integrationId }), "Verify queued: its verdicts show under Loading Reports and Extraction Logs.", "verify")}
        disabled={pending || active === "running"}
        title="Compare every tracked table at the source and the destination"
        className={SECONDARY}
      >
        {pending && busy === "verify" ? "Working…" : "Verify"}
      </button>
      <button
        type="button"
        onClick={() => act(() => repairNowAction({ integrationId }), "Repair queued: it re-copies only the rows Verify finds different.", "repair")}
        disabled={pending || active === "running"}
        title="Verify, re-copy only the rows that differ, then verify again"
        className={SECONDARY}
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
  );
}
