CREATE TYPE "public"."verify_status" AS ENUM('identical', 'differs', 'error', 'skipped');--> statement-breakpoint
CREATE TABLE "table_verifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_run_id" uuid,
	"integration_id" uuid NOT NULL,
	"table_key" text NOT NULL,
	"status" "verify_status" NOT NULL,
	"source_rows" bigint DEFAULT 0 NOT NULL,
	"destination_rows" bigint DEFAULT 0 NOT NULL,
	"differing" bigint DEFAULT 0 NOT NULL,
	"first_keys" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"compared" text DEFAULT 'ranges' NOT NULL,
	"repaired_rows" bigint,
	"note" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "table_verifications" ADD CONSTRAINT "table_verifications_job_run_id_job_runs_id_fk" FOREIGN KEY ("job_run_id") REFERENCES "public"."job_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "table_verifications" ADD CONSTRAINT "table_verifications_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "table_verifications_job_idx" ON "table_verifications" USING btree ("job_run_id");--> statement-breakpoint
CREATE INDEX "table_verifications_integration_idx" ON "table_verifications" USING btree ("integration_id","table_key","created_at");