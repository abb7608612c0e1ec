import { pgTable, text, timestamp, uuid, jsonb, uniqueIndex } from "drizzle-orm/pg-core";
import { integrations } from "./integrations";

/**
 * The app's copy of each table's replication state. The authoritative copy is written in the same
 * destination transaction as the rows it covers; this mirror serves the UI and resets.
 */
export const tableStates = pgTable(
  "table_states",
  {
    integrationId: uuid("integration_id").notNull().references(() => integrations.id, { onDelete: "cascade" }),
    tableKey: text("table_key").notNull(),
    method: text("method").notNull(),
    state: jsonb("state").$type<Record<string, unknown>>().notNull().default({}),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("table_states_integration_key_unique").on(t.integrationId, t.tableKey)],
);

export type TTableState = typeof tableStates.$inferSelect;
