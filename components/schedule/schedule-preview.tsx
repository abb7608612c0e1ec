import type { previewScheduleAction } from "@/lib/schedule/actions";

export function formatUtc(iso: string): string {
  const d = new Date(iso);
  const wd = d.toLocaleDateString("en-GB", { weekday: "short", timeZone: "UTC" });
  return `${wd} ${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** The next five start times the server computed, or why it could not. */
export function SchedulePreview({ result }: { result: Awaited<ReturnType<typeof previewScheduleAction>> | undefined }) {
  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 p-3" aria-live="polite">
      <h3 className="text-sm font-semibold text-slate-700">Next five start times (UTC)</h3>
      {result?.ok ? (
        <>
          <p className="text-xs text-slate-500">{result.data.description}</p>
          <ol aria-label="Next start times" className="mt-1 list-decimal pl-5 font-mono text-xs text-slate-800">
            {result.data.starts.map((s) => (
              <li key={s}>{formatUtc(s)}</li>
            ))}
          </ol>
        </>
      ) : result && !result.ok ? (
        <p className="text-xs text-slate-500">Fix the schedule to see its start times.</p>
      ) : (
        <p className="text-xs text-slate-500">Computing…</p>
      )}
    </div>
  );
}
