"use client";
import type { TRole } from "@/db/schema";
import { revokeInvitationAction } from "@/lib/team/actions";
import { FormError } from "@/components/ui/field";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { formatUtc } from "@/lib/team/format";
import { useTeamAction } from "./use-action";

type TInvitationRow = { id: string; role: TRole; email: string | null; invitedByEmail: string | null; createdAt: string; expiresAt: string; status: "pending" | "expired" };

export function InvitationsList({ invitations, canRevoke, actorRole }: { invitations: TInvitationRow[]; canRevoke: boolean; actorRole: TRole }) {
  const { run, error, pending } = useTeamAction(revokeInvitationAction);
  if (invitations.length === 0) return <p className="text-sm text-slate-600">No open invitations.</p>;
  return (
    <div className="space-y-3">
      <FormError message={error} />
      <table className="w-full overflow-hidden rounded-xl border border-slate-200 bg-white text-sm shadow-sm">
        <thead className="bg-slate-50 text-left text-slate-600">
          <tr>
            <th className="px-4 py-3 font-medium">Role</th>
            <th className="px-4 py-3 font-medium">For</th>
            <th className="px-4 py-3 font-medium">Invited by</th>
            <th className="px-4 py-3 font-medium">Expires</th>
            <th className="px-4 py-3 font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {invitations.map((i) => (
            <tr key={i.id} className="border-t border-slate-100">
              <td className="px-4 py-3 font-medium">{ROLE_LABELS[i.role]}</td>
              <td className="px-4 py-3">{i.email ?? <span className="text-slate-500">Anyone with the link</span>}</td>
              <td className="px-4 py-3 text-slate-600">{i.invitedByEmail ?? "—"}</td>
              <td className="px-4 py-3 text-slate-600">
                {i.status === "expired" ? <span className="font-medium text-amber-700">Expired {formatUtc(i.expiresAt)}</span> : formatUtc(i.expiresAt)}
              </td>
              <td className="px-4 py-3 text-right">
                {canRevoke && (i.role !== "owner" || actorRole === "owner") ? (
                  <button
                    type="button"
                    aria-label={`Revoke ${ROLE_LABELS[i.role]} invitation${i.email ? ` for ${i.email}` : ""} (expires ${formatUtc(i.expiresAt)})`}
                    disabled={pending}
                    onClick={() => void run({ invitationId: i.id })}
                    className="text-sm font-medium text-red-700 hover:text-red-900"
                  >
                    Revoke
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
