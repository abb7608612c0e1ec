import { jobLogDownload } from "@/lib/http/log-download";
import { authedRoute } from "@/app/_server/route";

export const dynamic = "force-dynamic";

/** Download: the whole extraction log of one job as a text file, streamed. */
export const GET = authedRoute<{ jobId: string }>({ role: "viewer" }, async (_req, ctx) => {
  const { filename, body } = await jobLogDownload(ctx.db, ctx.team.id, ctx.params.jobId);
  return new Response(body, {
    headers: { "Content-Type": "text/plain; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}"`, "Cache-Control": "no-store" },
  });
});
