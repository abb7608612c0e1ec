CREATE TYPE "public"."role" AS ENUM('owner', 'admin', 'member', 'viewer');--> statement-breakpoint
CREATE TYPE "public"."replication_method" AS ENUM('log_based', 'key_based', 'full_table');--> statement-breakpoint
CREATE TYPE "public"."schedule_mode" AS ENUM('frequency', 'anchor', 'cron');--> statement-breakpoint
CREATE TYPE "public"."source_flavour" AS ENUM('postgres', 'rds');--> statement-breakpoint
CREATE TYPE "public"."ssl_mode" AS ENUM('disable', 'require', 'verify-ca', 'verify-full');--> statement-breakpoint
CREATE TYPE "public"."relation_kind" AS ENUM('table', 'view', 'materialized_view', 'partitioned_table');--> statement-breakpoint
CREATE TYPE "public"."job_status" AS ENUM('queued', 'running', 'succeeded', 'failed', 'stopped');--> statement-breakpoint
CREATE TYPE "public"."job_trigger" AS ENUM('schedule', 'manual', 'test');--> statement-breakpoint
CREATE TYPE "public"."log_level" AS ENUM('INFO', 'WARNING', 'ERROR', 'CRITICAL');--> statement-breakpoint
CREATE TYPE "public"."log_location" AS ENUM('main', 'tap', 'target');--> statement-breakpoint
CREATE TYPE "public"."table_load_status" AS ENUM('pending', 'running', 'succeeded', 'failed', 'stopped');--> statement-breakpoint
CREATE TABLE "invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" uuid NOT NULL,
	"email" text,
	"role" "role" NOT NULL,
	"token_hash" text NOT NULL,
	"invited_by" uuid,
	"expires_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"accepted_by" uuid,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"team_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" "role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_team_id_user_id_pk" PRIMARY KEY("team_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "sign_in_failures" (
	"email" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_failure_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"password_hash" text NOT NULL,
	"session_version" integer DEFAULT 1 NOT NULL,
	"last_sign_in_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"actor_user_id" uuid,
	"actor_email" text,
	"action" text NOT NULL,
	"object_type" text NOT NULL,
	"object_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ip_address" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "destinations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" uuid NOT NULL,
	"host" text NOT NULL,
	"port" integer DEFAULT 5432 NOT NULL,
	"username" text NOT NULL,
	"password_enc" text NOT NULL,
	"database" text NOT NULL,
	"ssl" boolean DEFAULT false NOT NULL,
	"ssl_ca" text,
	"last_check" jsonb,
	"last_checked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" uuid NOT NULL,
	"name" text NOT NULL,
	"schema_name" text NOT NULL,
	"flavour" "source_flavour" DEFAULT 'postgres' NOT NULL,
	"host" text NOT NULL,
	"port" integer DEFAULT 5432 NOT NULL,
	"username" text NOT NULL,
	"password_enc" text NOT NULL,
	"database" text NOT NULL,
	"include_schema_names" boolean DEFAULT false NOT NULL,
	"ssh_enabled" boolean DEFAULT false NOT NULL,
	"ssh_host" text,
	"ssh_port" integer DEFAULT 22 NOT NULL,
	"ssh_user" text,
	"ssh_host_key" text,
	"ssl_mode" "ssl_mode" DEFAULT 'disable' NOT NULL,
	"ssl_ca" text,
	"default_method" "replication_method" DEFAULT 'log_based' NOT NULL,
	"schedule_mode" "schedule_mode" DEFAULT 'frequency' NOT NULL,
	"frequency_minutes" integer DEFAULT 60 NOT NULL,
	"anchor_time" text,
	"cron_expression" text,
	"paused" boolean DEFAULT false NOT NULL,
	"next_run_at" timestamp with time zone,
	"last_report" jsonb,
	"last_report_at" timestamp with time zone,
	"reset_requested_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_ssh_keys" (
	"team_id" uuid PRIMARY KEY NOT NULL,
	"public_key" text NOT NULL,
	"private_key_enc" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_tables" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"integration_id" uuid NOT NULL,
	"table_key" text NOT NULL,
	"database" text NOT NULL,
	"schema" text NOT NULL,
	"name" text NOT NULL,
	"kind" "relation_kind" NOT NULL,
	"row_estimate" bigint,
	"accessible" boolean DEFAULT true NOT NULL,
	"columns" jsonb NOT NULL,
	"discovered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "table_selections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"integration_id" uuid NOT NULL,
	"table_key" text NOT NULL,
	"pending" jsonb,
	"finalized" jsonb,
	"finalized_at" timestamp with time zone,
	"reset_requested_at" timestamp with time zone,
	"pending_reset_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "extraction_log_lines" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"job_run_id" uuid NOT NULL,
	"ts" timestamp (6) with time zone DEFAULT now() NOT NULL,
	"location" "log_location" NOT NULL,
	"level" "log_level" NOT NULL,
	"message" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" uuid NOT NULL,
	"integration_id" uuid,
	"kind" text DEFAULT 'extract' NOT NULL,
	"status" "job_status" DEFAULT 'queued' NOT NULL,
	"trigger" "job_trigger" NOT NULL,
	"queue_job_id" text,
	"scheduled_for" timestamp with time zone,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"worker_id" text,
	"stop_requested_at" timestamp with time zone,
	"selection_snapshot" jsonb,
	"rows_loaded" bigint DEFAULT 0 NOT NULL,
	"error" text,
	"partial_failure" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "row_usage" (
	"integration_id" uuid NOT NULL,
	"day" date NOT NULL,
	"rows" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "row_usage_integration_id_day_pk" PRIMARY KEY("integration_id","day")
);
--> statement-breakpoint
CREATE TABLE "table_loads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_run_id" uuid NOT NULL,
	"integration_id" uuid NOT NULL,
	"table_key" text NOT NULL,
	"destination_table" text NOT NULL,
	"method" text NOT NULL,
	"status" "table_load_status" DEFAULT 'pending' NOT NULL,
	"rows_estimated" bigint,
	"rows_done" bigint DEFAULT 0 NOT NULL,
	"rows_inserted" bigint DEFAULT 0 NOT NULL,
	"rows_updated" bigint DEFAULT 0 NOT NULL,
	"rows_deleted" bigint DEFAULT 0 NOT NULL,
	"max_bookmark" text,
	"extracted_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "table_states" (
	"integration_id" uuid NOT NULL,
	"table_key" text NOT NULL,
	"method" text NOT NULL,
	"state" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_accepted_by_users_id_fk" FOREIGN KEY ("accepted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "destinations" ADD CONSTRAINT "destinations_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_ssh_keys" ADD CONSTRAINT "team_ssh_keys_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_tables" ADD CONSTRAINT "catalog_tables_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "table_selections" ADD CONSTRAINT "table_selections_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "extraction_log_lines" ADD CONSTRAINT "extraction_log_lines_job_run_id_job_runs_id_fk" FOREIGN KEY ("job_run_id") REFERENCES "public"."job_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "row_usage" ADD CONSTRAINT "row_usage_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "table_loads" ADD CONSTRAINT "table_loads_job_run_id_job_runs_id_fk" FOREIGN KEY ("job_run_id") REFERENCES "public"."job_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "table_loads" ADD CONSTRAINT "table_loads_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "table_states" ADD CONSTRAINT "table_states_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_token_unique" ON "invitations" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "invitations_team_idx" ON "invitations" USING btree ("team_id");--> statement-breakpoint
CREATE UNIQUE INDEX "memberships_user_unique" ON "memberships" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_unique" ON "users" USING btree ("email");--> statement-breakpoint
CREATE INDEX "audit_events_team_created_idx" ON "audit_events" USING btree ("team_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "destinations_team_unique" ON "destinations" USING btree ("team_id");--> statement-breakpoint
CREATE UNIQUE INDEX "integrations_team_schema_unique" ON "integrations" USING btree ("team_id","schema_name");--> statement-breakpoint
CREATE INDEX "integrations_team_idx" ON "integrations" USING btree ("team_id");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_tables_integration_key_unique" ON "catalog_tables" USING btree ("integration_id","table_key");--> statement-breakpoint
CREATE INDEX "catalog_tables_integration_name_idx" ON "catalog_tables" USING btree ("integration_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "table_selections_integration_key_unique" ON "table_selections" USING btree ("integration_id","table_key");--> statement-breakpoint
CREATE INDEX "extraction_log_lines_job_idx" ON "extraction_log_lines" USING btree ("job_run_id","id");--> statement-breakpoint
CREATE INDEX "job_runs_integration_queued_idx" ON "job_runs" USING btree ("integration_id","queued_at");--> statement-breakpoint
CREATE INDEX "job_runs_status_idx" ON "job_runs" USING btree ("status");--> statement-breakpoint
CREATE INDEX "table_loads_job_idx" ON "table_loads" USING btree ("job_run_id");--> statement-breakpoint
CREATE INDEX "table_loads_integration_idx" ON "table_loads" USING btree ("integration_id","completed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "table_states_integration_key_unique" ON "table_states" USING btree ("integration_id","table_key");