import { pgEnum, pgTable, text, timestamp, uuid, jsonb, bigserial, bigint, boolean, index } from "drizzle-orm/pg-core";
import { integrations } from "./integrations";
import { teams } from "./auth";

export const jobStatusEnum = pgEnum("job_status", ["queued", "running", "succeeded", "failed", "stopped"]);
export const jobTriggerEnum = pgEnum("job_trigger", ["schedule", "manual", "test"]);
export const logLocationEnum = pgEnum("log_location", ["main", "tap", "target"]);
export const logLevelEnum = pgEnum("log_level", ["INFO", "WARNING", "ERROR", "CRITICAL"]);

/** One extraction job of an integration. */
export const jobRuns = pgTable(
  "job_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    teamId: uuid("team_id").notNull().references(() => teams.id, { onDelete: "cascade" }),
    // Null only for jobs that belong to no integration (test job types).
    integrationId: uuid("integration_id").references(() => integrations.id, { onDelete: "cascade" }),
    kind: text("kind").notNull().default("extract"),
    status: jobStatusEnum("status").notNull().default("queued"),
    trigger: jobTriggerEnum("trigger").notNull(),
    queueJobId: text("queue_job_id"),
    scheduledFor: timestamp("scheduled_for", { withTimezone: true }),
    queuedAt: timestamp("queued_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    workerId: text("worker_id"),
    stopRequestedAt: timestamp("stop_requested_at", { withTimezone: true }),
    // The finalized selections captured at the job's start.
    selectionSnapshot: jsonb("selection_snapshot").$type<unknown>(),
    rowsLoaded: bigint("rows_loaded", { mode: "number" }).notNull().default(0),
    error: text("error"),
    partialFailure: boolean("partial_failure").notNull().default(false),
  },
  (t) => [index("job_runs_integration_queued_idx").on(t.integrationId, t.queuedAt), index("job_runs_status_idx").on(t.status)],
);

export const extractionLogLines = pgTable(
  "extraction_log_lines",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    jobRunId: uuid("job_run_id").notNull().references(() => jobRuns.id, { onDelete: "cascade" }),
    ts: timestamp("ts", { withTimezone: true, precision: 6 }).notNull().defaultNow(),
    location: logLocationEnum("location").notNull(),
    level: logLevelEnum("level").notNull(),
    message: text("message").notNull(),
  },
  (t) => [index("extraction_log_lines_job_idx").on(t.jobRunId, t.id)],
);

export type TJobRun = typeof jobRuns.$inferSelect;
export type TJobStatus = (typeof jobStatusEnum.enumValues)[number];
export type TLogLine = typeof extractionLogLines.$inferSelect;
export type TLogLevel = (typeof logLevelEnum.enumValues)[number];
export type TLogLocation = (typeof logLocationEnum.enumValues)[number];
