/** "2026-11-21 09:30 UTC": one unambiguous format for times shown in the admin console. */
export function formatUtc(d: Date | string | null | undefined): string {
  if (!d) return "—";
  const date = typeof d === "string" ? new Date(d) : d;
  return `${date.toISOString().replace("T", " ").slice(0, 16)} UTC`;
}
