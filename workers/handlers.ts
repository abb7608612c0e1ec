import type { TJobHandler } from "@/lib/jobs/worker";
import { runExtractJob } from "@/lib/replication/extract-job";
import { refreshCatalog } from "@/lib/source/discovery-store";
import { enableLogBasedReplication } from "@/lib/replication/log-based";
import { withVerifyJobs } from "@/lib/verify/job";

// Log-based Incremental tables go to the log-based engine (slots, wal2json / pgoutput).
enableLogBasedReplication();

// Discovery re-runs before every job so new tables and columns (selected by default) are seen.
const extract: TJobHandler = (ctx) => runExtractJob(ctx, { discover: refreshCatalog });

/**
 * Queue → handler. The extract queue also carries the integration's Verify and Repair runs
 * (job_runs.kind), so they never overlap its extraction; withVerifyJobs tells them apart.
 */
export const jobHandlers: Record<string, TJobHandler> = {
  extract: withVerifyJobs(extract),
};
