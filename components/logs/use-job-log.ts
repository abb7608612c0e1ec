"use client";
import { useMemo, useRef } from "react";
import { useQuery } from "@tanstack/react-query";
import type { TJobLog, TLogLineOut } from "@/lib/reports/jobs";
import { LEVELS, type TLevel } from "./log-levels";

/** A job's log for one filter, polled from the last line seen while the job is queued or running. */
export function useJobLog(jobId: string, levels: TLevel[], q: string) {
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
  return { log, job, lines, live };
}
