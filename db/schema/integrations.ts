import { pgEnum, pgTable, text, timestamp, uuid, integer, boolean, jsonb, uniqueIndex, index } from "drizzle-orm/pg-core";
import { teams } from "./auth";

export const sourceFlavourEnum = pgEnum("source_flavour", ["postgres", "rds"]);
export const sslModeEnum = pgEnum("ssl_mode", ["disable", "require", "verify-ca", "verify-full"]);
export const replicationMethodEnum = pgEnum("replication_method", ["log_based", "key_based", "full_table"]);
export const scheduleModeEnum = pgEnum("schedule_mode", ["frequency", "anchor", "cron"]);

export const integrations = pgTable(
  "integrations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    teamId: uuid("team_id").notNull().references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // Destination schema, derived from the name at creation and immutable afterwards.
    schemaName: text("schema_name").notNull(),
    flavour: sourceFlavourEnum("flavour").notNull().default("postgres"),
    host: text("host").notNull(),
    port: integer("port").notNull().default(5432),
    username: text("username").notNull(),
    passwordEnc: text("password_enc").notNull(),
    database: text("database").notNull(),
    includeSchemaNames: boolean("include_schema_names").notNull().default(false),
    sshEnabled: boolean("ssh_enabled").notNull().default(false),
    sshHost: text("ssh_host"),
    sshPort: integer("ssh_port").notNull().default(22),
    sshUser: text("ssh_user"),
    // Remembered at first connect (trust on first use); a different key fails until accepted.
    sshHostKey: text("ssh_host_key"),
    sslMode: sslModeEnum("ssl_mode").notNull().default("disable"),
    sslCa: text("ssl_ca"),
    defaultMethod: replicationMethodEnum("default_method").notNull().default("log_based"),
    scheduleMode: scheduleModeEnum("schedule_mode").notNull().default("frequency"),
    frequencyMinutes: integer("frequency_minutes").notNull().default(60),
    anchorTime: text("anchor_time"),
    cronExpression: text("cron_expression"),
    paused: boolean("paused").notNull().default(false),
    nextRunAt: timestamp("next_run_at", { withTimezone: true }),
    lastReport: jsonb("last_report").$type<unknown>(),
    lastReportAt: timestamp("last_report_at", { withTimezone: true }),
    // Set by a full integration reset; the next job resets every table.
    resetRequestedAt: timestamp("reset_requested_at", { withTimezone: true }),
    // Verify & Repair: a successful extraction job is followed by a Verify of every tracked table.
    verifyAfterJob: boolean("verify_after_job").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("integrations_team_schema_unique").on(t.teamId, t.schemaName), index("integrations_team_idx").on(t.teamId)],
);

/** The team's SSH key pair for tunnels (seed 000, "Retrieve your public key"). */
export const teamSshKeys = pgTable("team_ssh_keys", {
  teamId: uuid("team_id").primaryKey().references(() => teams.id, { onDelete: "cascade" }),
  publicKey: text("public_key").notNull(),
  privateKeyEnc: text("private_key_enc").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export type TIntegration = typeof integrations.$inferSelect;
export type TNewIntegration = typeof integrations.$inferInsert;
export type TReplicationMethod = (typeof replicationMethodEnum.enumValues)[number];
