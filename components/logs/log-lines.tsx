import { useEffect, useRef } from "react";
import type { TLogLineOut } from "@/lib/reports/jobs";
import type { TLevel } from "./log-levels";

const LEVEL_STYLE: Record<TLevel, string> = {
  INFO: "text-slate-300",
  WARNING: "text-amber-300",
  ERROR: "text-red-400",
  CRITICAL: "text-red-400 font-bold",
};

/** The log lines as a table, kept scrolled to the bottom while following a live job. */
export function LogLines({ lines, empty, follow }: { lines: TLogLineOut[]; empty: string; follow: boolean }) {
  const bottom = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (follow) bottom.current?.scrollIntoView({ block: "nearest" });
  }, [lines.length, follow]);

  return (
    <div className="max-h-[32rem] overflow-auto rounded-xl border border-slate-800 bg-slate-950 p-3 font-mono text-xs text-slate-100" role="log" aria-label="Log lines" aria-live="polite">
      {lines.length === 0 ? (
        <p className="text-slate-400">{empty}</p>
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
  );
}
