import { pgTable, text, timestamp, uuid, jsonb, uniqueIndex } from "drizzle-orm/pg-core";
import { integrations } from "./integrations";

/** What is chosen for one table; the same shape is kept pending and finalized. */
export type TTableSelectionState = {
  tracked: boolean;
  columns: string[];
  method: "log_based" | "key_based" | "full_table";
  replicationKey: string[];
  viewKeyColumns: string[];
};

export const tableSelections = pgTable(
  "table_selections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    integrationId: uuid("integration_id").notNull().references(() => integrations.id, { onDelete: "cascade" }),
    tableKey: text("table_key").notNull(),
    // null pending = no pending change; null finalized = never finalized.
    pending: jsonb("pending").$type<TTableSelectionState>(),
    finalized: jsonb("finalized").$type<TTableSelectionState>(),
    finalizedAt: timestamp("finalized_at", { withTimezone: true }),
    // A reset (Reset Keys or a method/key change) asked for the next job; cleared when that job resets it.
    resetRequestedAt: timestamp("reset_requested_at", { withTimezone: true }),
    pendingResetAt: timestamp("pending_reset_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("table_selections_integration_key_unique").on(t.integrationId, t.tableKey)],
);

export type TTableSelection = typeof tableSelections.$inferSelect;
