"use client";
import { useDebounce } from "use-debounce";
import { useState } from "react";
import { JobSummary } from "./job-summary";
import { LEVELS, type TLevel } from "./log-levels";
import { LogFilters } from "./log-filters";
import { LogLines } from "./log-lines";
import { TableProgress } from "./table-progress";
import { useJobLog } from "./use-job-log";

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
  const { log, job, lines, live } = useJobLog(jobId, levels, q);

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

      <JobSummary job={job} live={live} />

      {log.data && log.data.progress.length > 0 ? <TableProgress tables={log.data.progress} /> : null}

      <LogFilters levels={levels} setLevels={setLevels} search={search} setSearch={setSearch} follow={follow} setFollow={setFollow} />

      <LogLines lines={lines} follow={follow && live} empty={log.isLoading ? "Loading…" : levels.length === 0 ? "Choose at least one level." : "No lines match."} />
    </section>
  );
}
