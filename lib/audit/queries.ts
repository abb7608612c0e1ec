import { and, desc, eq, gte, ilike, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "@/db/client";
import { auditEvents, type TAuditEvent } from "@/db/schema";

const ZDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-01-31")
  .optional()
  .or(z.literal("").transform(() => undefined));

/** The Audit Log page's filters, as they arrive in the URL. */
export const ZAuditFilterSchema = z.object({
  actor: z.string().trim().max(200).optional(),
  action: z.string().trim().max(100).optional(),
  objectType: z.string().trim().max(100).optional(),
  object: z.string().trim().max(200).optional(),
  from: ZDay,
  to: ZDay,
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});
export type TAuditFilter = z.infer<typeof ZAuditFilterSchema>;

export const AUDIT_PAGE_SIZE = 50;

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function conditions(teamId: string, f: TAuditFilter): SQL[] {
  const where: SQL[] = [eq(auditEvents.teamId, teamId)];
  if (f.actor) where.push(ilike(auditEvents.actorEmail, `%${escapeLike(f.actor)}%`));
  if (f.action) where.push(eq(auditEvents.action, f.action));
  if (f.objectType) where.push(eq(auditEvents.objectType, f.objectType));
  if (f.object) {
    const like = `%${escapeLike(f.object)}%`;
    const match = or(ilike(auditEvents.objectId, like), sql`${auditEvents.details}::text ILIKE ${like}`);
    if (match) where.push(match);
  }
  if (f.from) where.push(gte(auditEvents.createdAt, new Date(`${f.from}T00:00:00Z`)));
  if (f.to) where.push(lt(auditEvents.createdAt, new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000)));
  return where;
}

/** One page of the team's audit events, newest first, matching the filters (dates are UTC days). */
export async function listAuditEvents(
  db: TDbOrTx,
  teamId: string,
  filter: TAuditFilter,
  pageSize = AUDIT_PAGE_SIZE,
): Promise<{ events: TAuditEvent[]; hasMore: boolean }> {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(...conditions(teamId, filter)))
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(pageSize + 1)
    .offset((filter.page - 1) * pageSize);
  return { events: rows.slice(0, pageSize), hasMore: rows.length > pageSize };
}

/** The actions and object types the team's log contains, for the filter menus. */
export async function listAuditFacets(db: TDbOrTx, teamId: string): Promise<{ actions: string[]; objectTypes: string[] }> {
  const [actions, objectTypes] = await Promise.all([
    db.selectDistinct({ v: auditEvents.action }).from(auditEvents).where(eq(auditEvents.teamId, teamId)).orderBy(auditEvents.action),
    db.selectDistinct({ v: auditEvents.objectType }).from(auditEvents).where(eq(auditEvents.teamId, teamId)).orderBy(auditEvents.objectType),
  ]);
  return { actions: actions.map((r) => r.v), objectTypes: objectTypes.map((r) => r.v) };
}
