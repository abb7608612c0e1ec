"use server";
import { z } from "zod";
import { ZUpdateIntegrationSchema } from "@/lib/integrations/update-input";
import { updateIntegration } from "@/lib/integrations/update-integration";
import { acceptSshHostKey, createPublication, createReplicationSlot, rerunPrerequisiteReport } from "@/lib/integrations/update-prerequisites";
import { setVerifyAfterJob } from "@/lib/verify/job-start";
import { authedAction } from "../../../../_server/action";

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
