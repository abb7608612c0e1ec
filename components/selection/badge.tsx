export type TBadgeTone = "slate" | "indigo" | "amber" | "red" | "green";

const TONES: Record<TBadgeTone, string> = {
  slate: "bg-slate-100 text-slate-700",
  indigo: "bg-indigo-50 text-indigo-700",
  amber: "bg-amber-50 text-amber-800",
  red: "bg-red-50 text-red-700",
  green: "bg-green-50 text-green-700",
};

export function Badge({ children, tone }: { children: React.ReactNode; tone: TBadgeTone }) {
  return <span className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${TONES[tone]}`}>{children}</span>;
}
