import type { TJobHandler } from "@/lib/jobs/worker";
import { runExtractJob } from "@/lib/replication/extract-job";

/** Job kind → handler. The extraction engine registers `extract` here. */
export const jobHandlers: Record<string, TJobHandler> = {
  extract: (ctx) => runExtractJob(ctx),
};
