"use client";
import { useState } from "react";
import type { TRole } from "@/db/schema";
import { inviteMemberAction } from "@/lib/team/actions";
import { Button, Field, FormError } from "@/components/ui/field";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { formatUtc } from "@/lib/team/format";
import { useTeamAction } from "./use-action";

type TCreated = {
  path: string;
  role: TRole;
  email: string | null;
  expiresAt: string;
  delivery: "emailed" | "not_configured" | "no_address" | "failed";
  deliveryError: string | null;
};

function DeliveryNote({ created }: { created: TCreated }) {
  if (created.delivery === "emailed") return <p className="text-sm text-emerald-700">E-mailed to {created.email}.</p>;
  if (created.delivery === "not_configured") return <p className="text-sm text-slate-600">Not e-mailed: SMTP settings are not configured (SMTP_URL, SMTP_FROM).</p>;
  if (created.delivery === "failed") return <p className="text-sm text-amber-700">The e-mail could not be sent ({created.deliveryError}). Send the link yourself.</p>;
  return null;
}

/** `Invite Member`: pick a role (and optionally an address), get a one-time link shown once to copy. */
export function InviteMember({ roles }: { roles: TRole[] }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<TCreated | null>(null);
  const [copied, setCopied] = useState(false);
  const { run, error, fieldErrors, pending } = useTeamAction(inviteMemberAction);
  const link = created ? `${typeof window === "undefined" ? "" : window.location.origin}${created.path}` : "";

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setCopied(false);
    await run({ role: String(form.get("role") ?? ""), email: String(form.get("email") ?? "") }, (data) => setCreated(data));
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  if (!open) {
    return (
      <Button type="button" onClick={() => setOpen(true)}>
        Invite Member
      </Button>
    );
  }
  return (
    <section aria-labelledby="invite-heading" className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="flex items-center justify-between">
        <h2 id="invite-heading" className="text-lg font-semibold">
          Invite Member
        </h2>
        <button
          type="button"
          className="text-sm text-slate-500 hover:text-slate-800"
          onClick={() => {
            setOpen(false);
            setCreated(null);
          }}
        >
          Close
        </button>
      </div>
      {created ? (
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
          <Button type="button" variant="secondary" onClick={() => setCreated(null)}>
            Invite another
          </Button>
        </div>
      ) : (
        <form onSubmit={onSubmit} noValidate className="grid gap-4 sm:grid-cols-[10rem_1fr_auto] sm:items-end">
          <div className="sm:col-span-3">
            <FormError message={Object.keys(fieldErrors).length ? null : error} />
          </div>
          <div className="space-y-1">
            <label htmlFor="invite-role" className="block text-sm font-medium text-slate-700">
              Role
            </label>
            <select id="invite-role" name="role" defaultValue="member" className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm">
              {roles.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </select>
            {fieldErrors.role ? <p className="text-sm text-red-600">{fieldErrors.role}</p> : null}
          </div>
          <Field label="Email (optional)" name="email" type="email" placeholder="Anyone with the link" error={fieldErrors.email} />
          <Button type="submit" disabled={pending}>
            {pending ? "Creating…" : "Create Invitation Link"}
          </Button>
        </form>
      )}
    </section>
  );
}
