import { z } from "zod";
import type { TLogBasedAvailability } from "./rules";

/**
 * Reads whether log-based replication is possible from the integration's last prerequisite report
 * (integrations.last_report, written by the source checks). The report's shape belongs to the checks, so
 * this reads it defensively: an explicit log-based verdict if the report has one, else failed items that
 * concern log-based replication. No report yet → not blocked (the checks run at Check and Save and
 * before jobs; the job refuses log-based itself when a prerequisite fails).
 */
const ZVerdict = z.object({ ok: z.boolean().optional(), passed: z.boolean().optional(), available: z.boolean().optional(), status: z.string().optional(), reason: z.string().nullish(), summary: z.string().nullish() });

const ZItem = z.object({
  status: z.string().optional(),
  level: z.string().optional(),
  result: z.string().optional(),
  title: z.string().optional(),
  label: z.string().optional(),
  name: z.string().optional(),
  message: z.string().optional(),
  blocks: z.union([z.string(), z.array(z.string())]).optional(),
  affects: z.union([z.string(), z.array(z.string())]).optional(),
  scope: z.string().optional(),
  group: z.string().optional(),
  category: z.string().optional(),
  section: z.string().optional(),
  logBasedOnly: z.boolean().optional(),
});

const ZReport = z
  .object({
    logBased: z.union([z.boolean(), ZVerdict]).optional(),
    logBasedReady: z.boolean().optional(),
    logBasedAvailable: z.boolean().optional(),
    items: z.array(z.unknown()).optional(),
    checks: z.array(z.unknown()).optional(),
  })
  .passthrough();

const LOG = /log/i;

function mentionsLog(v: string | string[] | undefined): boolean {
  if (v === undefined) return false;
  return (Array.isArray(v) ? v : [v]).some((x) => LOG.test(x));
}

function failed(s: string | undefined): boolean {
  return s !== undefined && /^(fail|failed|error)$/i.test(s);
}

export function logBasedAvailabilityFromReport(report: unknown): TLogBasedAvailability {
  const parsed = ZReport.safeParse(report);
  if (report === null || report === undefined || !parsed.success) return { available: true, reason: null };
  const r = parsed.data;
  if (typeof r.logBased === "boolean") return { available: r.logBased, reason: r.logBased ? null : "the log-based prerequisites failed (see Settings)" };
  if (r.logBased) {
    const v = r.logBased;
    const ok = v.ok ?? v.passed ?? v.available ?? (v.status ? !failed(v.status) : true);
    return { available: ok, reason: ok ? null : (v.reason ?? v.summary ?? "the log-based prerequisites failed (see Settings)") };
  }
  const flag = r.logBasedReady ?? r.logBasedAvailable;
  const items = [...(r.items ?? []), ...(r.checks ?? [])].map((i) => ZItem.safeParse(i)).flatMap((p) => (p.success ? [p.data] : []));
  const blocking = items.filter(
    (i) =>
      failed(i.status ?? i.level ?? i.result) &&
      (i.logBasedOnly === true || mentionsLog(i.blocks) || mentionsLog(i.affects) || mentionsLog(i.scope) || mentionsLog(i.group) || mentionsLog(i.category) || mentionsLog(i.section)),
  );
  if (flag === true) return { available: true, reason: null };
  if (flag === false && blocking.length === 0) return { available: false, reason: "the log-based prerequisites failed (see Settings)" };
  if (blocking.length === 0) return { available: true, reason: null };
  const names = blocking.map((i) => i.title ?? i.label ?? i.name ?? i.message).filter((x): x is string => Boolean(x));
  return { available: false, reason: names.length ? `failed prerequisite${names.length > 1 ? "s" : ""}: ${names.join("; ")}` : "the log-based prerequisites failed (see Settings)" };
}
