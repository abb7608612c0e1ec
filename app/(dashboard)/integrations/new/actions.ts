"use server";
import { z } from "zod";
import { createIntegration } from "@/lib/integrations/create-integration";
import { ZCreateIntegrationSchema } from "@/lib/integrations/create-input";
import { ensureTeamSshKey } from "@/lib/source/ssh-keys";
import { ZOptionalScheduleInputSchema } from "@/lib/schedule/options";
import { authedAction } from "../../../_server/action";

/**
 * Check and Save: runs the connection steps and the prerequisite report; saves only a working connection,
 * with the form's schedule in the same insert (and audit event).
 */
export const checkAndSaveAction = authedAction({ schema: ZCreateIntegrationSchema.and(ZOptionalScheduleInputSchema), role: "member" }, async (input, ctx) =>
  createIntegration(ctx.db, ctx.actor, input, input),
);

/** The team's SSH public key, made on first need (when SSH Tunnel is ticked). */
export const teamPublicKeyAction = authedAction({ schema: z.object({}), role: "member" }, async (_input, ctx) => ensureTeamSshKey(ctx.db, ctx.team.id, ctx.actor));
