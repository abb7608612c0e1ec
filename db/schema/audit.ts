import { pgTable, text, timestamp, uuid, jsonb, bigserial, index } from "drizzle-orm/pg-core";
import { teams, users } from "./auth";

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    teamId: uuid("team_id").notNull().references(() => teams.id, { onDelete: "cascade" }),
    actorUserId: uuid("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    actorEmail: text("actor_email"),
    action: text("action").notNull(),
    objectType: text("object_type").notNull(),
    objectId: text("object_id"),
    // Never holds secrets: callers pass redacted details only.
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    ipAddress: text("ip_address"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("audit_events_team_created_idx").on(t.teamId, t.createdAt)],
);

export type TAuditEvent = typeof auditEvents.$inferSelect;
