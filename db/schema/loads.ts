import { pgEnum, pgTable, text, timestamp, uuid, bigint, date, primaryKey, index } from "drizzle-orm/pg-core";
import { integrations } from "./integrations";
import { jobRuns } from "./jobs";

export const tableLoadStatusEnum = pgEnum("table_load_status", ["pending", "running", "succeeded", "failed", "stopped"]);

/** The loading report: one row per job per table. */
export const tableLoads = pgTable(
  "table_loads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    jobRunId: uuid("job_run_id").notNull().references(() => jobRuns.id, { onDelete: "cascade" }),
    integrationId: uuid("integration_id").notNull().references(() => integrations.id, { onDelete: "cascade" }),
    tableKey: text("table_key").notNull(),
    destinationTable: text("destination_table").notNull(),
    method: text("method").notNull(),
    status: tableLoadStatusEnum("status").notNull().default("pending"),
    rowsEstimated: bigint("rows_estimated", { mode: "number" }),
    rowsDone: bigint("rows_done", { mode: "number" }).notNull().default(0),
    rowsInserted: bigint("rows_inserted", { mode: "number" }).notNull().default(0),
    rowsUpdated: bigint("rows_updated", { mode: "number" }).notNull().default(0),
    rowsDeleted: bigint("rows_deleted", { mode: "number" }).notNull().default(0),
    // Null shows as "Bookmark Unavailable".
    maxBookmark: text("max_bookmark"),
    extractedAt: timestamp("extracted_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    error: text("error"),
  },
  (t) => [index("table_loads_job_idx").on(t.jobRunId), index("table_loads_integration_idx").on(t.integrationId, t.completedAt)],
);

/** Rows replicated per integration per UTC day. */
export const rowUsage = pgTable(
  "row_usage",
  {
    integrationId: uuid("integration_id").notNull().references(() => integrations.id, { onDelete: "cascade" }),
    day: date("day").notNull(),
    rows: bigint("rows", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.day] })],
);

export type TTableLoad = typeof tableLoads.$inferSelect;
