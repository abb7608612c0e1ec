import { dashboardSummary } from "@/lib/reports/dashboard";
import { authedRoute } from "@/app/_server/route";

export const dynamic = "force-dynamic";

/** The dashboard's data (Sync Status, last and next start, rows in 24 h, row usage per day), polled. */
export const GET = authedRoute({ role: "viewer" }, async (_req, ctx) =>
  Response.json(await dashboardSummary(ctx.db, ctx.team.id), { headers: { "Cache-Control": "no-store" } }),
);
