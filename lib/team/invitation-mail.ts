import nodemailer from "nodemailer";
import type { TRole } from "@/db/schema";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { parseEnv } from "@/lib/env";

export type TSmtpSettings = { url: string; from: string };

/** The SMTP settings from the environment (validated in lib/env.ts), or null when e-mail is not set up. */
export function smtpSettingsFromEnv(source: Record<string, string | undefined> = process.env): TSmtpSettings | null {
  const env = parseEnv(source);
  return env.SMTP_URL && env.SMTP_FROM ? { url: env.SMTP_URL, from: env.SMTP_FROM } : null;
}

export type TInvitationMail = { to: string; link: string; role: TRole; teamName: string; invitedBy: string; expiresAt: Date };

/** The invitation e-mail: plain text, the link on its own line, when it expires and who sent it. */
export function invitationMailText(m: TInvitationMail): { subject: string; text: string } {
  return {
    subject: `You are invited to join ${m.teamName}`,
    text: [
      `${m.invitedBy} invited you to join ${m.teamName} as ${ROLE_LABELS[m.role]}.`,
      "",
      "Create your account with this link (it works once):",
      m.link,
      "",
      `The link expires ${m.expiresAt.toISOString().replace("T", " ").slice(0, 16)} UTC.`,
    ].join("\n"),
  };
}

/** Sends the invitation; throws with the SMTP server's reason when it refuses (the link stays valid). */
export async function sendInvitationMail(settings: TSmtpSettings, mail: TInvitationMail): Promise<void> {
  const transport = nodemailer.createTransport(settings.url);
  try {
    const { subject, text } = invitationMailText(mail);
    await transport.sendMail({ from: settings.from, to: mail.to, subject, text });
  } finally {
    transport.close();
  }
}
