import type { TJobHandler } from "@/lib/jobs/worker";
import { runExtractJob } from "@/lib/replication/extract-job";
import { refreshCatalog } from "@/lib/source/discovery-store";
import { enableLogBasedReplication } from "@/lib/replication/log-based";

// Log-based Incremental tables go to the log-based engine (slots, wal2json / pgoutput).
enableLogBasedReplication();

/** Job kind → handler. The extraction engine registers `extract` here. */
export const jobHandlers: Record<string, TJobHandler> = {
  // Discovery re-runs before every job so new tables and columns (selected by default) are seen.
  extract: (ctx) => runExtractJob(ctx, { discover: refreshCatalog }),
};
