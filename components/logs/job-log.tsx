"use client";
import { useDebounce } from "use-debounce";
import { useEffect, useMemo, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { TJobLog, TLogLineOut } from "@/lib/reports/jobs";
import { formatCount, formatDuration, formatTime, JOB_STATUS_STYLE, jobKindLabel, jobStatusLabel, triggerLabel } from "@/components/reports/format";
import { TableProgress } from "./table-progress";

const LEVELS = ["INFO", "WARNING", "ERROR", "CRITICAL"] as const;
type TLevel = (typeof LEVELS)[number];

const LEVEL_STYLE: Record<TLevel, string> = {
  INFO: "text-slate-300",
  WARNING: "text-amber-300",
  ERROR: "text-red-400",
  CRITICAL: "text-red-400 font-bold",
};


/**
 * One job's log: lines (timestamp, location, level, message) with a level filter and text search,
 * followed live while the job runs (polling the log route from the last line seen), per-table
 * progress, and Download.
 */
export function JobLog({ jobId }: { jobId: string }) {
  const [levels, setLevels] = useState<TLevel[]>([...LEVELS]);
  const [search, setSearch] = useState("");
  const [follow, setFollow] = useState(true);
  const q = useDebounce(search.trim(), 250)[0];
  const filterKey = `${levels.join(",")}|${q}`;
  // Lines seen so far per filter; polling asks only for lines after the last one.
  const seen = useRef(new Map<string, { lines: TLogLineOut[]; lastId: number }>());

  const log = useQuery({
    queryKey: ["job-log", jobId, filterKey],
    queryFn: async (): Promise<TJobLog & { all: TLogLineOut[] }> => {
      const s = seen.current.get(filterKey) ?? { lines: [], lastId: 0 };
      seen.current.set(filterKey, s);
      const params = new URLSearchParams({ after: String(s.lastId) });
      if (levels.length < LEVELS.length) params.set("level", levels.join(","));
      if (q) params.set("q", q);
      const res = await fetch(`/api/jobs/${jobId}/log?${params}`, { cache: "no-store" });
      if (!res.ok) throw new Error(`log ${res.status}`);
      const data = (await res.json()) as TJobLog;
      s.lines = s.lines.concat(data.lines.filter((l) => l.id > s.lastId));
      s.lastId = Math.max(s.lastId, data.lastId);
      return { ...data, all: s.lines };
    },
    refetchInterval: (query) => {
      const status = query.state.data?.job.status;
      return status === "running" || status === "queued" || status === undefined ? 1000 : false;
    },
  });

  const job = log.data?.job;
  const lines = useMemo(() => log.data?.all ?? [], [log.data]);
  const live = job?.status === "running" || job?.status === "queued";
  const bottom = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (follow && live) bottom.current?.scrollIntoView({ block: "nearest" });
  }, [lines.length, follow, live]);

  return (
    <section aria-labelledby="log-heading" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="log-heading" className="text-lg font-semibold">
          Extraction log
        </h2>
        <a href={`/api/jobs/${jobId}/download`} download className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-semibold text-slate-700 shadow-sm hover:bg-slate-50">
          Download
        </a>
      </div>

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
          <span>{formatCount(job.rowsLoaded)} rows loaded</span>
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

      {log.data && log.data.progress.length > 0 ? <TableProgress tables={log.data.progress} /> : null}

      <div className="flex flex-wrap items-end gap-4 rounded-md border border-slate-200 bg-white p-3">
        <fieldset className="flex flex-wrap items-center gap-3">
          <legend className="sr-only">Levels</legend>
          {LEVELS.map((l) => (
            <label key={l} className="flex items-center gap-1.5 text-sm">
              <input
                type="checkbox"
                checked={levels.includes(l)}
                onChange={(e) => setLevels((cur) => (e.target.checked ? LEVELS.filter((x) => x === l || cur.includes(x)) : cur.filter((x) => x !== l)))}
                className="h-4 w-4"
              />
              {l}
            </label>
          ))}
        </fieldset>
        <div className="flex-1 space-y-1">
          <label htmlFor="log-search" className="block text-xs font-medium text-slate-600">
            Search the log
          </label>
          <input
            id="log-search"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="e.g. State update"
            className="block w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm"
          />
        </div>
        <label className="flex items-center gap-1.5 text-sm">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} className="h-4 w-4" />
          Follow
        </label>
      </div>

      <div className="max-h-[32rem] overflow-auto rounded-xl border border-slate-800 bg-slate-950 p-3 font-mono text-xs text-slate-100" role="log" aria-label="Log lines" aria-live="polite">
        {lines.length === 0 ? (
          <p className="text-slate-400">{log.isLoading ? "Loading…" : levels.length === 0 ? "Choose at least one level." : "No lines match."}</p>
        ) : (
          <table className="w-full">
            <thead className="sr-only">
              <tr>
                <th>Timestamp</th>
                <th>Location</th>
                <th>Level</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr key={l.id} className="align-top">
                  <td className="whitespace-nowrap pr-3 text-slate-400">{l.ts.replace("T", " ").slice(0, 23)}</td>
                  <td className="pr-3 text-cyan-300">{l.location}</td>
                  <td className={`pr-3 ${LEVEL_STYLE[l.level]}`}>{l.level}</td>
                  <td className="whitespace-pre-wrap break-all">{l.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div ref={bottom} />
      </div>
    </section>
  );
}
