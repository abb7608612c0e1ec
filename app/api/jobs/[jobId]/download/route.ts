import { jobLogAsText } from "@/lib/reports/jobs";
import { authedRoute } from "@/app/_server/route";

export const dynamic = "force-dynamic";

/** Download: the whole extraction log of one job as a text file. */
export const GET = authedRoute<{ jobId: string }>({ role: "viewer" }, async (_req, ctx) => {
  const { filename, text } = await jobLogAsText(ctx.db, ctx.team.id, ctx.params.jobId);
  return new Response(text, {
    headers: { "Content-Type": "text/plain; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}"`, "Cache-Control": "no-store" },
  });
});
