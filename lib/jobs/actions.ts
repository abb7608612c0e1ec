"use server";
import { z } from "zod";
import { getWebQueue } from "@/lib/jobs/web-queue";
import { runExtractionNow, setIntegrationPaused, stopExtraction } from "@/lib/schedule/save";
import { startVerifyJob } from "@/lib/verify/job-start";
import { authedAction } from "@/lib/server/authed-action";

const ZId = z.object({ integrationId: z.uuid("No such integration") });

/** Run Extraction Now: enqueues an `extract` job (one per integration at a time). */
export const runExtractionNowAction = authedAction({ schema: ZId, role: "member" }, async (input, ctx) =>
  runExtractionNow(ctx.db, await getWebQueue(), ctx.actor, input.integrationId),
);

export const pauseIntegrationAction = authedAction({ schema: ZId, role: "member" }, (input, ctx) => setIntegrationPaused(ctx.db, ctx.actor, input.integrationId, true));

export const unpauseIntegrationAction = authedAction({ schema: ZId, role: "member" }, (input, ctx) => setIntegrationPaused(ctx.db, ctx.actor, input.integrationId, false));

/** Stop Extraction: the running job ends after its current batch with consistent bookmarks. */
export const stopExtractionAction = authedAction({ schema: ZId, role: "member" }, async (input, ctx) => stopExtraction(ctx.db, await getWebQueue(), ctx.actor, input.integrationId));

/** Verify: enqueues a `verify` job (after the running job, never beside it). Members and up; Viewers read the results. */
export const verifyNowAction = authedAction({ schema: ZId, role: "member" }, async (input, ctx) =>
  startVerifyJob(ctx.db, await getWebQueue(), ctx.actor, input.integrationId, "verify"),
);

/** Repair: enqueues a `repair` job (Verify → re-copy only the differing rows → Verify). */
export const repairNowAction = authedAction({ schema: ZId, role: "member" }, async (input, ctx) =>
  startVerifyJob(ctx.db, await getWebQueue(), ctx.actor, input.integrationId, "repair"),
);
