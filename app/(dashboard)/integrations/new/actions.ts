"use server";
import { z } from "zod";
import { createIntegration } from "@/lib/integrations/create-integration";
import { ZCreateIntegrationSchema } from "@/lib/integrations/create-input";
import { ensureTeamSshKey } from "@/lib/source/ssh-keys";
import { ZOptionalScheduleInputSchema } from "@/lib/schedule/options";
import { applyScheduleToNewIntegration } from "@/lib/schedule/save";
import { authedAction } from "../../../_server/action";

/** Check and Save: runs the connection steps and the prerequisite report; saves only a working connection. */
export const checkAndSaveAction = authedAction({ schema: ZCreateIntegrationSchema.and(ZOptionalScheduleInputSchema), role: "member" }, async (input, ctx) => {
  const result = await createIntegration(ctx.db, ctx.actor, input);
  if (result.saved) await applyScheduleToNewIntegration(ctx.db, ctx.team.id, result.id, input);
  return result;
});

/** The team's SSH public key, made on first need (when SSH Tunnel is ticked). */
export const teamPublicKeyAction = authedAction({ schema: z.object({}), role: "member" }, async (_input, ctx) => ensureTeamSshKey(ctx.db, ctx.team.id));
