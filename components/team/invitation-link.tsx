"use client";
import { useState } from "react";
import type { TRole } from "@/db/schema";
import { Button } from "@/components/ui/field";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { formatUtc } from "@/lib/team/format";

export type TCreatedInvitation = {
  path: string;
  role: TRole;
  email: string | null;
  expiresAt: string;
  delivery: "emailed" | "not_configured" | "no_address" | "failed";
  deliveryError: string | null;
};

function DeliveryNote({ created }: { created: TCreatedInvitation }) {
  if (created.delivery === "emailed") return <p className="text-sm text-emerald-700">E-mailed to {created.email}.</p>;
  if (created.delivery === "not_configured") return <p className="text-sm text-slate-600">Not e-mailed: SMTP settings are not configured (SMTP_URL, SMTP_FROM).</p>;
  if (created.delivery === "failed") return <p className="text-sm text-amber-700">The e-mail could not be sent ({created.deliveryError}). Send the link yourself.</p>;
  return null;
}

/** A new invitation's one-time link, shown once with Copy, how it was delivered, and `Invite another`. */
export function InvitationLink({ created, onAnother }: { created: TCreatedInvitation; onAnother: () => void }) {
  const [copied, setCopied] = useState(false);
  const link = `${typeof window === "undefined" ? "" : window.location.origin}${created.path}`;

  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  return (
    <div className="space-y-3" role="status">
      <p className="text-sm text-slate-700">
        Invitation link for a new <strong>{ROLE_LABELS[created.role]}</strong>
        {created.email ? ` (${created.email} only)` : ""}. It works once and expires {formatUtc(created.expiresAt)}.{" "}
        <strong>It is shown only now: copy it and send it to the person.</strong>
      </p>
      <DeliveryNote created={created} />
      <div className="flex gap-2">
        <div className="flex-1">
          <label htmlFor="invitation-link" className="block text-sm font-medium text-slate-700">
            Invitation link
          </label>
          <input id="invitation-link" readOnly value={link} onFocus={(e) => e.currentTarget.select()} className="block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs" />
        </div>
        <div className="self-end">
          <Button type="button" variant="secondary" onClick={() => void copy()}>
            {copied ? "Copied" : "Copy"}
          </Button>
        </div>
      </div>
      <Button type="button" variant="secondary" onClick={onAnother}>
        Invite another
      </Button>
    </div>
  );
}
