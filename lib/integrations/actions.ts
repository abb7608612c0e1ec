"use server";
import { z } from "zod";
import { authedAction } from "@/lib/server/authed-action";
import { ZOptionalScheduleInputSchema } from "@/lib/schedule/options";
import { ensureTeamSshKey } from "@/lib/source/ssh-keys";
import { setVerifyAfterJob } from "@/lib/verify/job-start";
import { createIntegration } from "./create-integration";
import { ZCreateIntegrationSchema } from "./create-input";
import { ZUpdateIntegrationSchema } from "./update-input";
import { updateIntegration } from "./update-integration";
import { acceptSshHostKey, createPublication, createReplicationSlot, rerunPrerequisiteReport } from "./update-prerequisites";

// ---------- Add Integration ----------

/**
 * Check and Save: runs the connection steps and the prerequisite report; saves only a working connection,
 * with the form's schedule in the same insert (and audit event).
 */
export const checkAndSaveAction = authedAction({ schema: ZCreateIntegrationSchema.and(ZOptionalScheduleInputSchema), role: "member" }, async (input, ctx) =>
  createIntegration(ctx.db, ctx.actor, input, input),
);

/** The team's SSH public key, made on first need (when SSH Tunnel is ticked). */
export const teamPublicKeyAction = authedAction({ schema: z.object({}), role: "member" }, async (_input, ctx) => ensureTeamSshKey(ctx.db, ctx.team.id, ctx.actor));

// ---------- Settings ----------

const ZId = z.object({ id: z.uuid("No such integration") });

/** Settings → save edited connection settings; the checks run again first. */
export const updateIntegrationAction = authedAction({ schema: ZUpdateIntegrationSchema, role: "member" }, (input, ctx) => updateIntegration(ctx.db, ctx.actor, input));

/** Settings → re-run the prerequisite report on the saved connection. */
export const rerunReportAction = authedAction({ schema: ZId, role: "member" }, (input, ctx) => rerunPrerequisiteReport(ctx.db, ctx.actor, input.id));

export const createSlotAction = authedAction(
  { schema: ZId.extend({ plugin: z.enum(["wal2json", "pgoutput"]) }), role: "member" },
  (input, ctx) => createReplicationSlot(ctx.db, ctx.actor, input.id, input.plugin),
);

export const createPublicationAction = authedAction({ schema: ZId, role: "member" }, (input, ctx) => createPublication(ctx.db, ctx.actor, input.id));

/** Only an Admin may trust a changed SSH host key. */
export const acceptHostKeyAction = authedAction(
  { schema: ZId.extend({ fingerprint: z.string().trim().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "Not an SSH key fingerprint") }), role: "admin" },
  (input, ctx) => acceptSshHostKey(ctx.db, ctx.actor, input.id, input.fingerprint),
);

/** Settings → Verify after each job (on / off). */
export const setVerifyAfterJobAction = authedAction({ schema: ZId.extend({ verifyAfterJob: z.boolean() }), role: "member" }, (input, ctx) =>
  setVerifyAfterJob(ctx.db, ctx.actor, input.id, input.verifyAfterJob),
);
