-- The destination's kind is data: a second kind adds a row value and its settings, not a migration of
-- the model. `config` holds the kind's settings that have no column of their own (PostgreSQL: none; its
-- connection settings are the columns above), validated by lib/connectors/destination-kinds.ts.
ALTER TABLE "destinations" ADD COLUMN "kind" text DEFAULT 'postgres' NOT NULL;--> statement-breakpoint
ALTER TABLE "destinations" ADD COLUMN "config" jsonb DEFAULT '{}'::jsonb NOT NULL;
