import type { TJobHandler } from "@/lib/jobs/worker";

/** Job kind → handler. The extraction engine registers `extract` here. */
export const jobHandlers: Record<string, TJobHandler> = {};
