import { jobsPerDay, listJobs } from "@/lib/reports/jobs";
import { authedRoute } from "@/app/_server/route";

export const dynamic = "force-dynamic";

/** Extraction Logs: the integration's jobs of the last 60 days and the daily succeeded/failed counts. */
export const GET = authedRoute<{ id: string }>({ role: "viewer" }, async (_req, ctx) => {
  const jobs = await listJobs(ctx.db, ctx.team.id, ctx.params.id);
  const perDay = await jobsPerDay(ctx.db, ctx.team.id, ctx.params.id);
  return Response.json({ jobs, perDay }, { headers: { "Cache-Control": "no-store" } });
});
