import { z } from "zod";
import { getJobLog } from "@/lib/reports/jobs";
import { AppError } from "@/lib/errors";
import { authedRoute } from "@/app/_server/route";

export const dynamic = "force-dynamic";

const ZQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  level: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(",").filter(Boolean) : []))
    .pipe(z.array(z.enum(["INFO", "WARNING", "ERROR", "CRITICAL"]))),
  q: z.string().max(200).optional(),
});

/** A job's log lines after a cursor (live follow by polling), filtered by level and text, with table progress. */
export const GET = authedRoute<{ jobId: string }>({ role: "viewer" }, async (req, ctx) => {
  const url = new URL(req.url);
  const parsed = ZQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid query");
  const log = await getJobLog(ctx.db, ctx.team.id, ctx.params.jobId, { afterId: parsed.data.after, levels: parsed.data.level, q: parsed.data.q || undefined });
  return Response.json(log, { headers: { "Cache-Control": "no-store" } });
});
