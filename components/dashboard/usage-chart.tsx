"use client";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { TDashboard } from "@/lib/reports/dashboard";

const COLORS = ["#4f46e5", "#0891b2", "#16a34a", "#d97706", "#db2777", "#7c3aed", "#65a30d", "#dc2626"];

/** Row usage per integration per day (last 30 days, UTC days), stacked. */
export function UsageChart({ usage, names }: { usage: TDashboard["usage"]; names: string[] }) {
  return (
    <figure aria-label="Row usage per day" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <figcaption className="mb-2 text-sm font-semibold text-slate-700">Row usage per day (last 30 days)</figcaption>
      <div className="h-56">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={usage} margin={{ left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="day" tick={{ fontSize: 11 }} tickFormatter={(d: string) => d.slice(5)} minTickGap={12} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={48} tickFormatter={(v: number) => new Intl.NumberFormat("en-US", { notation: "compact" }).format(v)} />
            <Tooltip />
            <Legend />
            {names.map((n, i) => (
              <Bar key={n} dataKey={n} stackId="usage" fill={COLORS[i % COLORS.length]} maxBarSize={48} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
