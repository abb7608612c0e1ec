import { integrationJobState } from "@/lib/reports/dashboard";
import { authedRoute } from "@/app/_server/route";

export const dynamic = "force-dynamic";

/** One integration's Sync Status and running job, polled by the job controls. */
export const GET = authedRoute<{ id: string }>({ role: "viewer" }, async (_req, ctx) =>
  Response.json(await integrationJobState(ctx.db, ctx.team.id, ctx.params.id), { headers: { "Cache-Control": "no-store" } }),
);
