"use server";
import { z } from "zod";
import { createIntegration } from "@/lib/integrations/create-integration";
import { ZCreateIntegrationSchema } from "@/lib/integrations/create-input";
import { ensureTeamSshKey } from "@/lib/source/ssh-keys";
import { authedAction } from "../../../_server/action";

/** Check and Save: runs the connection steps and the prerequisite report; saves only a working connection. */
export const checkAndSaveAction = authedAction({ schema: ZCreateIntegrationSchema, role: "member" }, (input, ctx) => createIntegration(ctx.db, ctx.actor, input));

/** The team's SSH public key, made on first need (when SSH Tunnel is ticked). */
export const teamPublicKeyAction = authedAction({ schema: z.object({}), role: "member" }, async (_input, ctx) => ensureTeamSshKey(ctx.db, ctx.team.id));
