export const LEVELS = ["INFO", "WARNING", "ERROR", "CRITICAL"] as const;
export type TLevel = (typeof LEVELS)[number];

export const LEVEL_STYLE: Record<TLevel, string> = {
  INFO: "text-slate-300",
  WARNING: "text-amber-300",
  ERROR: "text-red-400",
  CRITICAL: "text-red-400 font-bold",
};
