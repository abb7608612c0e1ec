export const LEVELS = ["INFO", "WARNING", "ERROR", "CRITICAL"] as const;
export type TLevel = (typeof LEVELS)[number];
