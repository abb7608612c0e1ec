"use client";
import { useState } from "react";
import type { TRole } from "@/db/schema";
import { changeMemberRoleAction, removeMemberAction } from "@/lib/team/actions";
import { FormError } from "@/components/ui/field";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { formatUtc } from "@/lib/team/format";
import { MemberRoleSelect } from "./member-role-select";
import { RemoveMember } from "./remove-member";
import { useTeamAction } from "./use-action";

type TMemberRow = { userId: string; email: string; name: string | null; role: TRole; lastSignInAt: string | null; joinedAt: string };

/** May this actor touch this member at all (role change or removal)? Mirrors lib/team/rules on the server. */
function canManage(actorRole: TRole, target: TRole): boolean {
  if (actorRole === "owner") return true;
  return actorRole === "admin" && target !== "owner";
}

/** The members table's column headings (the last, for the actions, is for screen readers only). */
function MembersHead() {
  return (
    <thead className="bg-slate-50 text-left text-slate-600">
      <tr>
        <th className="px-4 py-3 font-medium">Member</th>
        <th className="px-4 py-3 font-medium">Role</th>
        <th className="px-4 py-3 font-medium">Last sign-in</th>
        <th className="px-4 py-3 font-medium">Joined</th>
        <th className="px-4 py-3 font-medium">
          <span className="sr-only">Actions</span>
        </th>
      </tr>
    </thead>
  );
}

export function MembersTable({ members, selfId, actorRole, assignable }: { members: TMemberRow[]; selfId: string; actorRole: TRole; assignable: TRole[] }) {
  const roleAction = useTeamAction(changeMemberRoleAction);
  const removeAction = useTeamAction(removeMemberAction);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const error = roleAction.error ?? removeAction.error;
  const owners = members.filter((m) => m.role === "owner").length;

  return (
    <div className="space-y-3">
      <FormError message={error} />
      {notice && !error ? (
        <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          {notice}
        </p>
      ) : null}
      <table className="w-full overflow-hidden rounded-xl border border-slate-200 bg-white text-sm shadow-sm">
        <MembersHead />
        <tbody>
          {members.map((m) => {
            // The last Owner can be neither demoted nor removed (the server refuses it too).
            const lastOwner = m.role === "owner" && owners === 1;
            const manageable = canManage(actorRole, m.role) && !lastOwner;
            return (
              <tr key={m.userId} className="border-t border-slate-100">
                <td className="px-4 py-3">
                  <div className="font-medium">{m.name || m.email}</div>
                  {m.name ? <div className="text-xs text-slate-500">{m.email}</div> : null}
                  {m.userId === selfId ? <div className="text-xs text-indigo-600">You</div> : null}
                </td>
                <td className="px-4 py-3">
                  {manageable ? (
                    <MemberRoleSelect
                      userId={m.userId}
                      email={m.email}
                      role={m.role}
                      assignable={assignable}
                      disabled={roleAction.pending}
                      onChange={(role) => {
                        removeAction.clearError();
                        void roleAction.run({ userId: m.userId, role }, (data) => setNotice(data.changed ? `${m.email} is now ${ROLE_LABELS[role]}.` : null));
                      }}
                    />
                  ) : (
                    <span title={lastOwner ? "A team always needs at least one Owner" : undefined}>{ROLE_LABELS[m.role]}</span>
                  )}
                </td>
                <td className="px-4 py-3 text-slate-600">{m.lastSignInAt ? formatUtc(m.lastSignInAt) : "Never"}</td>
                <td className="px-4 py-3 text-slate-600">{formatUtc(m.joinedAt)}</td>
                <td className="px-4 py-3 text-right">
                  {manageable ? (
                    <RemoveMember
                      email={m.email}
                      confirming={confirming === m.userId}
                      disabled={removeAction.pending}
                      onAsk={() => setConfirming(m.userId)}
                      onCancel={() => setConfirming(null)}
                      onConfirm={() => {
                        roleAction.clearError();
                        void removeAction.run({ userId: m.userId }, () => {
                          setConfirming(null);
                          setNotice(`${m.email} was removed from the team.`);
                        });
                      }}
                    />
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
