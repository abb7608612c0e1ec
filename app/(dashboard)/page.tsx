import Link from "next/link";
import { getDb } from "@/db/client";
import { dashboardSummary } from "@/lib/reports/dashboard";
import { DashboardView } from "@/components/dashboard/dashboard-view";
import { requireSessionContext } from "@/lib/server/session";

export default async function DashboardPage() {
  const session = await requireSessionContext();
  const initial = await dashboardSummary(getDb(), session.team.id);
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
      <DashboardView initial={initial} />
    </div>
  );
}
