import Link from "next/link";
import { getDb } from "@/db/client";
import { describeAuditAction, formatAuditDetails } from "@/lib/audit/describe";
import { listAuditEvents, listAuditFacets, ZAuditFilterSchema, type TAuditFilter } from "@/lib/audit/queries";
import { AUDIT_RETENTION_DAYS } from "@/lib/maintenance/audit-retention";
import { formatUtc } from "@/lib/team/format";
import { AuditFilters } from "@/components/team/audit-filters";
import { requireSessionContext } from "@/lib/server/session";

export const dynamic = "force-dynamic";

type TSearch = Record<string, string | string[] | undefined>;

function pageHref(filter: TAuditFilter, page: number): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filter, page })) if (v !== undefined && v !== "" && !(k === "page" && v === 1)) q.set(k, String(v));
  const s = q.toString();
  return s ? `/audit-log?${s}` : "/audit-log";
}

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<TSearch> }) {
  const session = await requireSessionContext();
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const parsed = ZAuditFilterSchema.safeParse(raw);
  const filter: TAuditFilter = parsed.success ? parsed.data : { page: 1 };
  const db = getDb();
  const [{ events, hasMore }, facets] = await Promise.all([listAuditEvents(db, session.team.id, filter), listAuditFacets(db, session.team.id)]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">Audit Log</h1>
        <p className="text-sm text-slate-600">
          Every change made in this team: who, what, which object, when and from which address. Kept for {AUDIT_RETENTION_DAYS} days.
        </p>
      </div>
      <AuditFilters filter={filter} facets={facets} invalid={parsed.success ? null : (parsed.error.issues[0]?.message ?? "Invalid filter")} />
      {events.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-sm text-slate-600">No events match these filters.</p>
      ) : (
        <table className="w-full overflow-hidden rounded-xl border border-slate-200 bg-white text-sm shadow-sm">
          <thead className="bg-slate-50 text-left text-slate-600">
            <tr>
              <th className="px-4 py-3 font-medium">When</th>
              <th className="px-4 py-3 font-medium">Who</th>
              <th className="px-4 py-3 font-medium">What</th>
              <th className="px-4 py-3 font-medium">Object</th>
              <th className="px-4 py-3 font-medium">Address</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} className="border-t border-slate-100 align-top">
                <td className="whitespace-nowrap px-4 py-3 text-slate-600">{formatUtc(e.createdAt)}</td>
                <td className="px-4 py-3">{e.actorEmail ?? "system"}</td>
                <td className="px-4 py-3">
                  <div className="font-medium">{describeAuditAction(e.action)}</div>
                  <div className="font-mono text-xs text-slate-500">{e.action}</div>
                </td>
                <td className="px-4 py-3">
                  <div>
                    {e.objectType}
                    {e.objectId ? <span className="ml-1 font-mono text-xs text-slate-500">{e.objectId}</span> : null}
                  </div>
                  {Object.keys(e.details).length ? <div className="mt-1 text-xs text-slate-600">{formatAuditDetails(e.details)}</div> : null}
                </td>
                <td className="px-4 py-3 font-mono text-xs text-slate-600">{e.ipAddress ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label="Audit log pages" className="flex justify-between text-sm">
        {filter.page > 1 ? (
          <Link className="font-medium text-indigo-700" href={pageHref(filter, filter.page - 1)}>
            ← Newer
          </Link>
        ) : (
          <span />
        )}
        {hasMore ? (
          <Link className="font-medium text-indigo-700" href={pageHref(filter, filter.page + 1)}>
            Older →
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
