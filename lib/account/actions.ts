"use server";
import { z } from "zod";
import { authedAction } from "@/lib/server/authed-action";
import { changePassword, signOutEverywhere } from "@/lib/team/account";
import { ZChangePasswordSchema } from "@/lib/team/schemas";

/** Any role may change their own password (after re-entering the current one); every session ends. */
export const changePasswordAction = authedAction({ schema: ZChangePasswordSchema, role: "viewer" }, async (input, ctx) => {
  return changePassword(ctx.db, { ...ctx.actor, userId: ctx.user.id, email: ctx.user.email }, input);
});

export const signOutEverywhereAction = authedAction({ schema: z.object({}), role: "viewer" }, async (_input, ctx) => {
  await signOutEverywhere(ctx.db, { ...ctx.actor, userId: ctx.user.id, email: ctx.user.email });
  return { signedOut: true };
});
