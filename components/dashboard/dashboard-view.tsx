"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { TDashboard } from "@/lib/reports/dashboard";
import { StatusBadge } from "@/components/integrations/status-badge";
import { formatCount, formatTime } from "@/components/reports/format";
import { UsageChart } from "./usage-chart";

/** The dashboard's integrations and row usage, polled so statuses change without a reload. */
export function DashboardView({ initial }: { initial: TDashboard }) {
  const q = useQuery({
    queryKey: ["dashboard"],
    queryFn: async (): Promise<TDashboard> => {
      const res = await fetch("/api/dashboard", { cache: "no-store" });
      if (!res.ok) throw new Error(`dashboard ${res.status}`);
      return (await res.json()) as TDashboard;
    },
    initialData: initial,
    refetchInterval: 3000,
  });
  const data = q.data;
  if (data.integrations.length === 0) {
    return (
      <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center">
        <h2 className="text-lg font-semibold">No integrations yet</h2>
        <p className="mt-2 text-sm text-slate-600">Add a PostgreSQL or Amazon RDS source to start replicating into your destination.</p>
      </div>
    );
  }
  return (
    <div className="space-y-6">
      <table aria-label="Integrations" className="w-full overflow-hidden rounded-xl border border-slate-200 bg-white text-sm shadow-sm">
        <thead className="bg-slate-50 text-left text-slate-600">
          <tr>
            <th className="px-4 py-3 font-medium">Integration</th>
            <th className="px-4 py-3 font-medium">Sync Status</th>
            <th className="px-4 py-3 font-medium">Last started</th>
            <th className="px-4 py-3 font-medium">Next start</th>
            <th className="px-4 py-3 text-right font-medium">Rows replicated (24 hours)</th>
          </tr>
        </thead>
        <tbody>
          {data.integrations.map((i) => (
            <tr key={i.id} className="border-t border-slate-100 align-top" data-integration={i.name}>
              <td className="px-4 py-3">
                <Link href={`/integrations/${i.id}`} className="font-medium text-indigo-700 hover:underline">
                  {i.name}
                </Link>
                <p className="font-mono text-xs text-slate-500">{i.schemaName}</p>
                <p className="text-xs text-slate-500">{i.schedule}</p>
              </td>
              <td className="px-4 py-3">
                <StatusBadge status={i.status} />
                {i.status === "Failed" && i.lastError ? (
                  <div className="mt-1 max-w-md text-xs text-red-700">
                    {/* What happened first (a job whose tables failed names them), then what to do. */}
                    <p className="font-medium">{i.lastError}</p>
                    {i.advice ? <p>{i.advice}</p> : null}
                    {i.partialFailure ? <p className="text-slate-600">The other tables loaded; the next job retries the failed ones.</p> : null}
                    <Link href={`/integrations/${i.id}/logs`} className="underline">
                      See the Extraction Logs
                    </Link>
                  </div>
                ) : null}
              </td>
              <td className="px-4 py-3 text-slate-700">{formatTime(i.lastStartedAt)}</td>
              <td className="px-4 py-3 text-slate-700">{i.paused ? "Paused" : i.activeJobStatus === "running" ? "After the running job" : formatTime(i.nextRunAt)}</td>
              <td className="px-4 py-3 text-right tabular-nums">{formatCount(i.rows24h)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <UsageChart usage={data.usage} names={data.integrations.map((i) => i.name)} />
    </div>
  );
}
