"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { TJobSummary, TJobsPerDay } from "@/lib/reports/jobs";
import { formatCount, formatDuration, formatTime, JOB_STATUS_STYLE, jobKindLabel, jobStatusLabel, triggerLabel } from "@/components/reports/format";
import { JobsChart } from "./jobs-chart";
import { JobLog } from "./job-log";

type TJobsData = { jobs: TJobSummary[]; perDay: TJobsPerDay[] };

/** The Extraction Logs tab: the daily chart, the jobs of the last 60 days, and the selected job's log. */
export function ExtractionLogs({ integrationId, selectedJobId, initial }: { integrationId: string; selectedJobId: string | null; initial: TJobsData }) {
  const q = useQuery({
    queryKey: ["jobs", integrationId],
    queryFn: async (): Promise<TJobsData> => {
      const res = await fetch(`/api/integrations/${integrationId}/jobs`, { cache: "no-store" });
      if (!res.ok) throw new Error(`jobs ${res.status}`);
      return (await res.json()) as TJobsData;
    },
    initialData: initial,
    refetchInterval: 2000,
  });
  const jobs = q.data.jobs;
  const selected = selectedJobId ?? jobs[0]?.id ?? null;

  return (
    <div className="space-y-6">
      <JobsChart data={q.data.perDay} />
      <section aria-labelledby="jobs-heading" className="space-y-2">
        <h2 id="jobs-heading" className="text-lg font-semibold">
          Jobs
        </h2>
        {jobs.length === 0 ? (
          <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
            No extraction jobs in the last 60 days. Use Run Extraction Now, or wait for the schedule.
          </p>
        ) : (
          <div className="max-h-80 overflow-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table className="w-full text-sm">
              <thead className="sticky top-0 bg-slate-50 text-left text-slate-600">
                <tr>
                  <th className="px-3 py-2 font-medium">Status</th>
                  <th className="px-3 py-2 font-medium">Job</th>
                  <th className="px-3 py-2 font-medium">Trigger</th>
                  <th className="px-3 py-2 font-medium">Started</th>
                  <th className="px-3 py-2 font-medium">Duration</th>
                  <th className="px-3 py-2 text-right font-medium">Rows</th>
                  <th className="px-3 py-2 font-medium">
                    <span className="sr-only">Open</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => (
                  <tr key={j.id} className={`border-t border-slate-100 ${j.id === selected ? "bg-indigo-50" : ""}`} aria-current={j.id === selected ? "true" : undefined}>
                    <td className="px-3 py-2">
                      <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${JOB_STATUS_STYLE[j.status] ?? ""}`}>{jobStatusLabel(j.status)}</span>
                      {/* One line here (the whole reason is in the job's log view below). */}
                      {j.status === "failed" && j.error ? (
                        <p className="mt-1 max-w-md truncate text-xs text-red-700" title={j.error}>
                          {j.error}
                        </p>
                      ) : null}
                    </td>
                    <td className="px-3 py-2 text-slate-700">
                      {jobKindLabel(j.kind)}
                      {j.verification ? <span className="block text-xs text-slate-500">{j.verification}</span> : null}
                    </td>
                    <td className="px-3 py-2 text-slate-700">{triggerLabel(j.trigger, j.kind)}</td>
                    <td className="px-3 py-2 text-slate-700">{formatTime(j.startedAt ?? j.queuedAt)}</td>
                    <td className="px-3 py-2 text-slate-700">{formatDuration(j.durationMs)}</td>
                    <td className="px-3 py-2 text-right tabular-nums">{j.kind !== "extract" && j.rowsLoaded === 0 ? "—" : formatCount(j.rowsLoaded)}</td>
                    <td className="px-3 py-2 text-right">
                      <Link href={`/integrations/${integrationId}/logs?job=${j.id}`} className="text-indigo-700 hover:underline" scroll={false}>
                        View log
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {selected ? <JobLog key={selected} jobId={selected} /> : null}
    </div>
  );
}
