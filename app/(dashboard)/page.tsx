import Link from "next/link";
import { getDb } from "@/db/client";
import { listIntegrations } from "@/lib/integrations/list";
import { StatusBadge } from "@/components/integrations/status-badge";
import { requireSessionContext } from "../_server/session";

export default async function DashboardPage() {
  const session = await requireSessionContext();
  const items = await listIntegrations(getDb(), session.team.id);
  return (
    <div className="space-y-6">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-bold">Integrations</h1>
        {session.role !== "viewer" ? (
          <Link href="/integrations/new" className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500">
            Add Integration
          </Link>
        ) : null}
      </div>
      {items.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center">
          <h2 className="text-lg font-semibold">No integrations yet</h2>
          <p className="mt-2 text-sm text-slate-600">
            Add a PostgreSQL or Amazon RDS source to start replicating into your destination.
          </p>
        </div>
      ) : (
        <table className="w-full overflow-hidden rounded-xl border border-slate-200 bg-white text-sm shadow-sm">
          <thead className="bg-slate-50 text-left text-slate-600">
            <tr>
              <th className="px-4 py-3 font-medium">Integration</th>
              <th className="px-4 py-3 font-medium">Destination schema</th>
              <th className="px-4 py-3 font-medium">Sync Status</th>
              <th className="px-4 py-3 font-medium">Last started</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id} className="border-t border-slate-100">
                <td className="px-4 py-3 font-medium">
                  <Link href={`/integrations/${i.id}`} className="text-indigo-700 hover:underline">
                    {i.name}
                  </Link>
                </td>
                <td className="px-4 py-3 font-mono text-xs">{i.schemaName}</td>
                <td className="px-4 py-3">
                  <StatusBadge status={i.status} />
                  {i.lastError ? <p className="mt-1 text-xs text-red-700">{i.lastError}</p> : null}
                </td>
                <td className="px-4 py-3 text-slate-600">{i.lastStartedAt ? i.lastStartedAt.toISOString().replace("T", " ").slice(0, 19) + " UTC" : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
