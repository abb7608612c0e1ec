import Link from "next/link";
import type { TAuditFilter } from "@/lib/audit/queries";
import { describeAuditAction } from "@/lib/audit/describe";

const input = "block w-full rounded-md border border-slate-300 px-3 py-2 text-sm";

function Labelled({ id, label, children }: { id: string; label: string; children: React.ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children}
    </div>
  );
}

/** A plain GET form: the filters live in the URL, so a filtered view can be bookmarked or shared. */
export function AuditFilters({ filter, facets, invalid }: { filter: TAuditFilter; facets: { actions: string[]; objectTypes: string[] }; invalid: string | null }) {
  return (
    <form method="get" action="/audit-log" role="search" aria-label="Filter the audit log" className="grid gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-3 lg:grid-cols-6">
      {invalid ? (
        <p role="alert" className="text-sm text-red-600 sm:col-span-3 lg:col-span-6">
          {invalid}
        </p>
      ) : null}
      <Labelled id="f-actor" label="Who">
        <input id="f-actor" name="actor" defaultValue={filter.actor ?? ""} placeholder="email" className={input} />
      </Labelled>
      <Labelled id="f-action" label="Action">
        <select id="f-action" name="action" defaultValue={filter.action ?? ""} className={input}>
          <option value="">Any action</option>
          {facets.actions.map((a) => (
            <option key={a} value={a}>
              {describeAuditAction(a)}
            </option>
          ))}
        </select>
      </Labelled>
      <Labelled id="f-type" label="Object type">
        <select id="f-type" name="objectType" defaultValue={filter.objectType ?? ""} className={input}>
          <option value="">Any type</option>
          {facets.objectTypes.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </Labelled>
      <Labelled id="f-object" label="Object">
        <input id="f-object" name="object" defaultValue={filter.object ?? ""} placeholder="id, name or email" className={input} />
      </Labelled>
      <Labelled id="f-from" label="From (UTC)">
        <input id="f-from" name="from" type="date" defaultValue={filter.from ?? ""} className={input} />
      </Labelled>
      <Labelled id="f-to" label="To (UTC)">
        <input id="f-to" name="to" type="date" defaultValue={filter.to ?? ""} className={input} />
      </Labelled>
      <div className="flex items-center gap-3 sm:col-span-3 lg:col-span-6">
        <button type="submit" className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500">
          Filter
        </button>
        <Link href="/audit-log" className="text-sm font-medium text-slate-600 hover:text-slate-900">
          Clear filters
        </Link>
      </div>
    </form>
  );
}
