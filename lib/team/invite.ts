import type { TDb } from "@/db/client";
import type { TRole } from "@/db/schema";
import type { TTeamActor } from "./context";
import { createInvitation, invitationPath, type TCreatedInvitation } from "./invitations";
import { sendInvitationMail, type TSmtpSettings } from "./invitation-mail";

export type TInviteResult = TCreatedInvitation & {
  path: string;
  /** "emailed": sent; "not_configured": no SMTP settings; "no_address": no e-mail given; "failed": see error. */
  delivery: "emailed" | "not_configured" | "no_address" | "failed";
  deliveryError: string | null;
};

/**
 * Makes the invitation and, when it names an address and SMTP is configured, e-mails the link. A
 * failed e-mail does not undo the invitation: the link is still shown to copy, with the reason.
 */
export async function inviteMember(
  db: TDb,
  by: TTeamActor,
  input: { role: TRole; email?: string | null },
  opts: { smtp: TSmtpSettings | null; baseUrl: string | (() => Promise<string>); teamName: string },
): Promise<TInviteResult> {
  const inv = await createInvitation(db, by, input);
  const path = invitationPath(inv.token);
  if (!inv.email) return { ...inv, path, delivery: "no_address", deliveryError: null };
  if (!opts.smtp) return { ...inv, path, delivery: "not_configured", deliveryError: null };
  try {
    const base = typeof opts.baseUrl === "string" ? opts.baseUrl : await opts.baseUrl();
    const link = new URL(path, base).toString();
    await sendInvitationMail(opts.smtp, { to: inv.email, link, role: inv.role, teamName: opts.teamName, invitedBy: by.actor.email ?? "A team admin", expiresAt: inv.expiresAt });
    return { ...inv, path, delivery: "emailed", deliveryError: null };
  } catch (err) {
    return { ...inv, path, delivery: "failed", deliveryError: err instanceof Error ? err.message : String(err) };
  }
}
