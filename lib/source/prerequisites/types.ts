import { z } from "zod";

export const ZCheckStatusSchema = z.enum(["pass", "warn", "fail", "skip"]);
export type TCheckStatus = z.infer<typeof ZCheckStatusSchema>;

export const ZCheckFixSchema = z.object({
  /** Where the fix goes: SQL to run, a config file line, or an RDS parameter group change. */
  kind: z.enum(["sql", "postgresql.conf", "pg_hba.conf", "rds", "text"]),
  text: z.string(),
});
export type TCheckFix = z.infer<typeof ZCheckFixSchema>;

export const ZCheckItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: ZCheckStatusSchema,
  /** What was found, with the user's own names. */
  summary: z.string(),
  /** One sentence on why it matters. */
  why: z.string(),
  fix: ZCheckFixSchema.nullable(),
  /** A failure here blocks only Log-based Replication. */
  logBasedOnly: z.boolean(),
  /** A button the product can offer (when the connected user has the right). */
  action: z.enum(["create_slot", "create_publication"]).nullable(),
});
export type TCheckItem = z.infer<typeof ZCheckItemSchema>;

export const ZPrerequisiteReportSchema = z.object({
  checkedAt: z.string(),
  flavour: z.enum(["postgres", "rds"]),
  serverVersion: z.string(),
  database: z.string(),
  user: z.string(),
  slotName: z.string(),
  items: z.array(ZCheckItemSchema),
  /** No failed log-based item: Log-based Replication can run. */
  logBasedReady: z.boolean(),
});
export type TPrerequisiteReport = z.infer<typeof ZPrerequisiteReportSchema>;

/** Reads a stored report (jsonb); anything unreadable counts as "no report yet". */
export function parseStoredReport(value: unknown): TPrerequisiteReport | null {
  const parsed = ZPrerequisiteReportSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function item(
  partial: Omit<TCheckItem, "fix" | "action" | "logBasedOnly"> & Partial<Pick<TCheckItem, "fix" | "action" | "logBasedOnly">>,
): TCheckItem {
  return { fix: null, action: null, logBasedOnly: false, ...partial };
}
