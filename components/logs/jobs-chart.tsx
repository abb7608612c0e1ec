"use client";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { TJobsPerDay } from "@/lib/reports/jobs";

/** Jobs per day, succeeded and failed stacked. */
export function JobsChart({ data }: { data: TJobsPerDay[] }) {
  return (
    <figure aria-label="Jobs per day" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <figcaption className="mb-2 text-sm font-semibold text-slate-700">Jobs per day (last 60 days)</figcaption>
      {data.length === 0 ? (
        <p className="text-sm text-slate-500">No jobs yet.</p>
      ) : (
        <div className="h-48">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data} margin={{ left: -20 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" tick={{ fontSize: 11 }} />
              <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
              <Tooltip />
              <Legend />
              <Bar dataKey="succeeded" name="Succeeded" stackId="jobs" fill="#16a34a" maxBarSize={48} isAnimationActive={false} />
              <Bar dataKey="failed" name="Failed" stackId="jobs" fill="#dc2626" maxBarSize={48} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}
