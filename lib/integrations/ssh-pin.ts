import { and, eq } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { memberships, type TIntegration } from "@/db/schema";
import type { TAuditActor } from "@/lib/audit/record";
import { hasRole } from "@/lib/auth/roles";
import type { TSourceConnectionFields } from "@/lib/source/connection-input";

/**
 * The SSH host key an edited connection must present. The remembered key stays pinned whatever the SSH
 * host text says (a bastion retyped as its IP is the same server, and must show the same key), and
 * across turning the tunnel off and on. Only an Admin moving the tunnel to another server meets that
 * server afresh; anyone else needs an Admin to accept a new key.
 */
export async function pinnedSshHostKey(db: TDbOrTx, actor: TAuditActor, current: TIntegration, next: TSourceConnectionFields): Promise<string | null> {
  if (!current.sshHostKey || !next.sshEnabled) return current.sshHostKey;
  const sameServer = current.sshHost === next.sshHost && current.sshPort === next.sshPort;
  if (sameServer || !actor.userId) return current.sshHostKey;
  const [membership] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.teamId, actor.teamId), eq(memberships.userId, actor.userId)))
    .limit(1);
  return membership && hasRole(membership.role, "admin") ? null : current.sshHostKey;
}
