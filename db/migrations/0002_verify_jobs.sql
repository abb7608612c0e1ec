-- Verify & Repair as jobs (job_runs.kind 'verify' / 'repair'): "Verify after each job" per integration.
ALTER TABLE "integrations" ADD COLUMN "verify_after_job" boolean DEFAULT false NOT NULL;
