import type { TDestinationCheck } from "@/lib/destination/check";

const BADGE = {
  pass: "bg-green-100 text-green-800",
  warn: "bg-amber-100 text-amber-800",
  fail: "bg-red-100 text-red-800",
} as const;

/** The destination check, item by item, with why it matters and the SQL that fixes it. */
export function CheckReport({ check }: { check: TDestinationCheck }) {
  return (
    <section aria-label="Connection test" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 className="text-lg font-semibold">Connection test</h2>
      <ul className="mt-4 space-y-3">
        {check.items.map((item) => (
          <li key={item.id} className="rounded-md border border-slate-100 p-3">
            <div className="flex items-center gap-2">
              <span className={`rounded-full px-2 py-0.5 text-xs font-semibold uppercase ${BADGE[item.status]}`}>{item.status}</span>
              <span className="font-medium">{item.label}</span>
            </div>
            <p className="mt-1 text-sm text-slate-700">{item.detail}</p>
            {item.status !== "pass" && item.why ? <p className="mt-1 text-xs text-slate-500">{item.why}</p> : null}
            {item.fixSql ? (
              <div className="mt-2">
                <p className="text-xs font-medium text-slate-600">Run as the database owner or a superuser:</p>
                <pre className="mt-1 overflow-x-auto rounded bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100">{item.fixSql}</pre>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
