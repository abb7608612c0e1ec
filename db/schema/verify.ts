import { bigint, index, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { integrations } from "./integrations";
import { jobRuns } from "./jobs";

export const verifyStatusEnum = pgEnum("verify_status", ["identical", "differs", "error", "skipped"]);

/**
 * Verify & Repair results: one row per table per verification (a Verify job, or the check after an
 * extraction job). `first_keys` holds up to 20 differing keys ({ kind, key }), validated by
 * lib/verify's ZFirstKeys when read; `repaired_rows` is set when the row records a Repair.
 */
export const tableVerifications = pgTable(
  "table_verifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    jobRunId: uuid("job_run_id").references(() => jobRuns.id, { onDelete: "cascade" }),
    integrationId: uuid("integration_id").notNull().references(() => integrations.id, { onDelete: "cascade" }),
    tableKey: text("table_key").notNull(),
    status: verifyStatusEnum("status").notNull(),
    sourceRows: bigint("source_rows", { mode: "number" }).notNull().default(0),
    destinationRows: bigint("destination_rows", { mode: "number" }).notNull().default(0),
    differing: bigint("differing", { mode: "number" }).notNull().default(0),
    firstKeys: jsonb("first_keys").$type<unknown>().notNull().default([]),
    // "ranges" | "whole_table" | "none": how the table was compared.
    compared: text("compared").notNull().default("ranges"),
    repairedRows: bigint("repaired_rows", { mode: "number" }),
    note: text("note"),
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("table_verifications_job_idx").on(t.jobRunId), index("table_verifications_integration_idx").on(t.integrationId, t.tableKey, t.createdAt)],
);

export type TTableVerificationRow = typeof tableVerifications.$inferSelect;
export type TNewTableVerificationRow = typeof tableVerifications.$inferInsert;
