"use server";
import { authedAction } from "@/app/_server/action";
import { changeMemberRole, removeMember } from "@/lib/team/members";
import { createInvitation, invitationPath, revokeInvitation } from "@/lib/team/invitations";
import { ZChangeRoleSchema, ZInviteMemberSchema, ZRemoveMemberSchema, ZRevokeInvitationSchema } from "@/lib/team/schemas";

/** Makes a one-time invitation link; the token is returned once, to be copied (only its hash is stored). */
export const inviteMemberAction = authedAction({ schema: ZInviteMemberSchema, role: "admin" }, async (input, ctx) => {
  const inv = await createInvitation(ctx.db, { actor: { ...ctx.actor, userId: ctx.user.id }, role: ctx.role }, { role: input.role, email: input.email || null });
  return { id: inv.id, role: inv.role, email: inv.email, path: invitationPath(inv.token), expiresAt: inv.expiresAt.toISOString() };
});

export const revokeInvitationAction = authedAction({ schema: ZRevokeInvitationSchema, role: "admin" }, async (input, ctx) => {
  await revokeInvitation(ctx.db, { actor: { ...ctx.actor, userId: ctx.user.id }, role: ctx.role }, input);
  return { revoked: true };
});

export const changeMemberRoleAction = authedAction({ schema: ZChangeRoleSchema, role: "admin" }, async (input, ctx) => {
  return changeMemberRole(ctx.db, { actor: { ...ctx.actor, userId: ctx.user.id }, role: ctx.role }, input);
});

export const removeMemberAction = authedAction({ schema: ZRemoveMemberSchema, role: "admin" }, async (input, ctx) => {
  return removeMember(ctx.db, { actor: { ...ctx.actor, userId: ctx.user.id }, role: ctx.role }, input);
});
