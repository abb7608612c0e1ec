"use server";
import { checkDestination, type TDestinationCheck } from "@/lib/destination/check";
import { connectionFromInput, getTeamDestination, saveTeamDestination, ZDestinationSettingsSchema } from "@/lib/destination/settings";
import { destinationAuditDetails, recordDestinationCheckFailed } from "@/lib/destination/check-audit";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { authedAction } from "@/lib/server/authed-action";

/**
 * Update PostgreSQL Settings: tests the connection and the loader's privileges; saves only settings that
 * pass (a failing check leaves the working destination as it was, and is audited) and returns the report
 * either way. The save and its audit event commit together.
 */
export const updateDestinationAction = authedAction({ schema: ZDestinationSettingsSchema, role: "admin" }, async (input, ctx): Promise<{ saved: boolean; check: TDestinationCheck }> => {
  const existing = await getTeamDestination(ctx.db, ctx.team.id);
  const conn = connectionFromInput(input, existing);
  if (!conn) throw new AppError("VALIDATION", "Check the highlighted fields.", { password: "Enter the password" });
  const check = await checkDestination(conn);
  if (!check.ok) {
    await recordDestinationCheckFailed(ctx.db, ctx.actor, input, check);
    return { saved: false, check };
  }
  await ctx.db.transaction(async (tx) => {
    await saveTeamDestination(tx, ctx.team.id, input, conn, check);
    await recordAudit(tx, ctx.actor, {
      action: existing ? "destination.updated" : "destination.created",
      objectType: "destination",
      objectId: ctx.team.id,
      details: destinationAuditDetails(input),
    });
  });
  return { saved: true, check };
});
