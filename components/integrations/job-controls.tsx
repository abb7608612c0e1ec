"use client";
import { useIntegrationState } from "./integration-state";
import { JobButtons } from "./job-buttons";
import { StatusBadge } from "./status-badge";
import { useJobActions } from "./use-job-actions";

/**
 * The integration header's job buttons: `Verify`, `Repair`, `Run Extraction Now`, `Pause Integration` /
 * `Unpause Integration` and, while a job runs, `Stop Extraction`. The integration's state is polled so the
 * buttons follow jobs started by the schedule or by someone else.
 */
export function JobControls({ integrationId, canRun, initialPaused = false }: { integrationId: string; canRun: boolean; initialPaused?: boolean }) {
  const actions = useJobActions(integrationId);
  const { notice } = actions;
  const state = useIntegrationState(integrationId);
  const paused = state.data?.paused ?? initialPaused;
  const active = state.data?.activeJobStatus ?? null;

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex items-center gap-2">
        {state.data ? (
          <span className="mr-2 flex items-center gap-2 text-sm text-slate-600">
            Sync Status <StatusBadge status={state.data.status} />
          </span>
        ) : null}
        {canRun ? <JobButtons integrationId={integrationId} paused={paused} active={active} actions={actions} /> : null}
      </div>
      {notice ? (
        <p role={notice.kind === "error" ? "alert" : "status"} className={`max-w-sm text-right text-sm ${notice.kind === "error" ? "text-red-700" : "text-green-700"}`}>
          {notice.text}
        </p>
      ) : null}
    </div>
  );
}
