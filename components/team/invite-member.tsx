"use client";
import { useState } from "react";
import type { TRole } from "@/db/schema";
import { inviteMemberAction } from "@/lib/team/actions";
import { Button } from "@/components/ui/field";
import { InvitationLink, type TCreatedInvitation } from "./invitation-link";
import { InviteForm } from "./invite-form";
import { useTeamAction } from "./use-action";

/** `Invite Member`: pick a role (and optionally an address), get a one-time link shown once to copy. */
export function InviteMember({ roles }: { roles: TRole[] }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<TCreatedInvitation | null>(null);
  const { run, error, fieldErrors, pending } = useTeamAction(inviteMemberAction);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    await run({ role: String(form.get("role") ?? ""), email: String(form.get("email") ?? "") }, (data) => setCreated(data));
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
        <InvitationLink created={created} onAnother={() => setCreated(null)} />
      ) : (
        <InviteForm roles={roles} onSubmit={onSubmit} error={error} fieldErrors={fieldErrors} pending={pending} />
      )}
    </section>
  );
}
