"use server";
import { headers } from "next/headers";
import { authedAction } from "@/lib/server/authed-action";
import { changeMemberRole, removeMember } from "@/lib/team/members";
import { revokeInvitation } from "@/lib/team/invitations";
import { inviteMember } from "@/lib/team/invite";
import { smtpSettingsFromEnv } from "@/lib/team/invitation-mail";
import { ZChangeRoleSchema, ZInviteMemberSchema, ZRemoveMemberSchema, ZRevokeInvitationSchema } from "@/lib/team/schemas";

/** The dashboard's public address for links in e-mails: NEXTAUTH_URL (set by npm start), else this request's. */
async function publicBaseUrl(): Promise<string> {
  if (process.env.NEXTAUTH_URL) return process.env.NEXTAUTH_URL;
  const h = await headers();
  return `${h.get("x-forwarded-proto") ?? "http"}://${h.get("x-forwarded-host") ?? h.get("host") ?? "localhost"}`;
}

/**
 * Makes a one-time invitation link; the token is returned once, to be copied (only its hash is
 * stored), and e-mailed when the invitation names an address and SMTP is configured.
 */
export const inviteMemberAction = authedAction({ schema: ZInviteMemberSchema, role: "admin" }, async (input, ctx) => {
  const inv = await inviteMember(
    ctx.db,
    { actor: { ...ctx.actor, userId: ctx.user.id }, role: ctx.role },
    { role: input.role, email: input.email || null },
    { smtp: smtpSettingsFromEnv(), baseUrl: publicBaseUrl, teamName: ctx.team.name },
  );
  return { id: inv.id, role: inv.role, email: inv.email, path: inv.path, expiresAt: inv.expiresAt.toISOString(), delivery: inv.delivery, deliveryError: inv.deliveryError };
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
