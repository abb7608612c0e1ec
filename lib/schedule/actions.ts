"use server";
import { z } from "zod";
import { ZScheduleInputSchema } from "@/lib/schedule/options";
import { previewSchedule, saveIntegrationSchedule } from "@/lib/schedule/save";
import { authedAction } from "@/lib/server/authed-action";

const ZSchedulePreviewSchema = ZScheduleInputSchema.and(z.object({ integrationId: z.uuid("No such integration").optional().or(z.literal("").transform(() => undefined)) }));
const ZScheduleSaveSchema = ZScheduleInputSchema.and(z.object({ integrationId: z.uuid("No such integration") }));

/** The next five start times for the schedule being edited; invalid cron comes back as a field error. */
export const previewScheduleAction = authedAction({ schema: ZSchedulePreviewSchema, role: "viewer" }, async (input, ctx) => {
  const res = await previewSchedule(ctx.db, ctx.team.id, input, input.integrationId);
  return { starts: res.starts.map((d) => d.toISOString()), description: res.description };
});

/** Settings → Schedule → Save Schedule. */
export const saveScheduleAction = authedAction({ schema: ZScheduleSaveSchema, role: "member" }, async (input, ctx) => {
  const res = await saveIntegrationSchedule(ctx.db, ctx.actor, input.integrationId, input);
  return { nextRunAt: res.nextRunAt.toISOString() };
});
