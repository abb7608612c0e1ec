import type { TJobSummary } from "@/lib/reports/jobs";
import { formatCount, formatDuration, formatTime, JOB_STATUS_STYLE, jobKindLabel, jobStatusLabel, triggerLabel } from "@/components/reports/format";

/** The job's status line, then why it failed (or which tables failed) when it did. */
export function JobSummary({ job, live }: { job: TJobSummary | undefined; live: boolean }) {
  return (
    <>
      {job ? (
        <div className="flex flex-wrap items-center gap-x-6 gap-y-1 text-sm text-slate-700">
          <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${JOB_STATUS_STYLE[job.status] ?? ""}`} data-testid="job-status">
            {jobStatusLabel(job.status)}
          </span>
          <span>
            {jobKindLabel(job.kind)} · {triggerLabel(job.trigger, job.kind)}
          </span>
          {job.verification ? <span data-testid="job-verification">{job.verification}</span> : null}
          <span>Started {formatTime(job.startedAt)}</span>
          <span>Duration {formatDuration(job.durationMs)}</span>
          <span>{formatCount(job.rowsLoaded)} {job.rowsLoaded === 1 ? "row" : "rows"} loaded</span>
          {live ? <span className="animate-pulse text-blue-700">● live</span> : null}
        </div>
      ) : null}

      {job?.status === "failed" ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          <p className="font-semibold">This job failed{job.error ? `: ${job.error}` : "."}</p>
          {job.advice ? <p className="mt-1">{job.advice}</p> : null}
          {job.partialFailure ? <p className="mt-1">The other tables&apos; rows are loaded. The next job retries the failed tables.</p> : null}
        </div>
      ) : null}
      {job && job.status !== "failed" && job.error ? (
        <div role="status" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          Some tables failed: {job.error}
        </div>
      ) : null}
    </>
  );
}
