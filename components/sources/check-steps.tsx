import type { TDiagnosis } from "@/lib/source/diagnose";

const ICON = { pass: "✓", fail: "✗", skip: "–", not_run: "·" } as const;
const STYLE = { pass: "text-green-700", fail: "text-red-700", skip: "text-slate-400", not_run: "text-slate-400" } as const;
const WORD = { pass: "passed", fail: "failed", skip: "skipped", not_run: "not run" } as const;

/** The connection check, step by step, with the first failing step in plain words. */
export function CheckSteps({ diagnosis }: { diagnosis: TDiagnosis }) {
  return (
    <section aria-label="Connection check" className="rounded-lg border border-slate-200 bg-white p-4">
      <h3 className="mb-2 text-sm font-semibold">{diagnosis.ok ? "Connection check passed" : "Connection check failed"}</h3>
      <ol className="space-y-1.5">
        {diagnosis.steps.map((s) => (
          <li key={s.step} data-step={s.step} data-status={s.status} className="flex gap-2 text-sm">
            <span aria-hidden className={`w-4 font-bold ${STYLE[s.status]}`}>
              {ICON[s.status]}
            </span>
            <span className="w-40 shrink-0 font-medium">
              {s.label} <span className="sr-only">{WORD[s.status]}</span>
            </span>
            <span className={s.status === "fail" ? "text-red-700" : "text-slate-600"}>{s.detail}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
