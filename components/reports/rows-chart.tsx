"use client";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { TRowsOverTime } from "@/lib/reports/loading";

/** Rows loaded over time (per hour for 24 hours, per day otherwise). */
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

export function RowsChart({ data, title, hourly }: { data: TRowsOverTime[]; title: string; hourly: boolean }) {
  const points = data.map((d) => ({ label: hourly ? `${d.bucket.slice(5, 10)} ${d.bucket.slice(11, 16)}` : d.bucket.slice(0, 10), rows: d.rows }));
  return (
    <figure aria-label={title} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <figcaption className="mb-2 text-sm font-semibold text-slate-700">{title}</figcaption>
      <div className="h-52">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={points} margin={{ left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={16} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={48} tickFormatter={(v: number) => compact.format(v)} />
            <Tooltip formatter={(v) => Number(v).toLocaleString("en-US")} />
            <Bar dataKey="rows" name="Rows loaded" fill="#4f46e5" maxBarSize={48} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
