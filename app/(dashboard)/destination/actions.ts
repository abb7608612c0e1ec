"use server";
import { checkDestination, type TDestinationCheck } from "@/lib/destination/check";
import { connectionFromInput, getTeamDestination, saveTeamDestination, ZDestinationSettingsSchema } from "@/lib/destination/settings";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { authedAction } from "../../_server/action";

/**
 * Update PostgreSQL Settings: tests the connection and the loader's privileges; saves only settings that
 * pass (a failing check leaves the working destination as it was) and returns the report either way.
 */
export const updateDestinationAction = authedAction({ schema: ZDestinationSettingsSchema, role: "admin" }, async (input, ctx): Promise<{ saved: boolean; check: TDestinationCheck }> => {
  const existing = await getTeamDestination(ctx.db, ctx.team.id);
  const conn = connectionFromInput(input, existing);
  if (!conn) throw new AppError("VALIDATION", "Check the highlighted fields.", { password: "Enter the password" });
  const check = await checkDestination(conn);
  if (!check.ok) return { saved: false, check };
  await saveTeamDestination(ctx.db, ctx.team.id, input, conn, check);
  await recordAudit(ctx.db, ctx.actor, {
    action: existing ? "destination.updated" : "destination.created",
    objectType: "destination",
    objectId: ctx.team.id,
    details: { host: input.host, port: input.port, username: input.username, database: input.database, ssl: input.ssl, sslCertificate: input.sslCa ? "provided" : "none", passwordChanged: input.password !== "" },
  });
  return { saved: true, check };
});
