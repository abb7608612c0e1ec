import { getDb } from "@/db/client";
import { hasRole } from "@/lib/auth/roles";
import { listOpenInvitations } from "@/lib/team/invitations";
import { listMembers } from "@/lib/team/members";
import { assignableRoles } from "@/lib/team/rules";
import { InvitationsList } from "@/components/team/invitations-list";
import { InviteMember } from "@/components/team/invite-member";
import { MembersTable } from "@/components/team/members-table";
import { requireSessionContext } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export default async function TeamPage() {
  const session = await requireSessionContext();
  const db = getDb();
  const [members, invitations] = await Promise.all([listMembers(db, session.team.id), listOpenInvitations(db, session.team.id)]);
  const canManage = hasRole(session.role, "admin");
  const roles = assignableRoles(session.role);
  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold">Team</h1>
          <p className="text-sm text-slate-600">
            {session.team.name} · {members.length} {members.length === 1 ? "member" : "members"}. Viewers read everything but secrets; Members also edit
            integrations and run jobs; Admins also manage the destination and members; Owners can do everything.
          </p>
        </div>
      </div>
      {canManage ? <InviteMember roles={roles} /> : null}
      <section aria-labelledby="members-heading" className="space-y-3">
        <h2 id="members-heading" className="text-lg font-semibold">
          Members
        </h2>
        <MembersTable
          members={members.map((m) => ({ ...m, lastSignInAt: m.lastSignInAt?.toISOString() ?? null, joinedAt: m.joinedAt.toISOString() }))}
          selfId={session.user.id}
          actorRole={session.role}
          assignable={roles}
        />
      </section>
      <section aria-labelledby="invitations-heading" className="space-y-3">
        <h2 id="invitations-heading" className="text-lg font-semibold">
          Open invitations
        </h2>
        <InvitationsList
          invitations={invitations.map((i) => ({ ...i, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString() }))}
          canRevoke={canManage}
          actorRole={session.role}
        />
      </section>
    </div>
  );
}
