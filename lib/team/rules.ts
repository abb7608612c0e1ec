import type { TRole } from "@/db/schema";
import { hasRole, ROLE_LABELS } from "@/lib/auth/roles";

export const ROLES: readonly TRole[] = ["owner", "admin", "member", "viewer"];

/** Roles an actor may hand out (invite with, or change someone to): Admins up to Admin, the Owner any. */
export function assignableRoles(actorRole: TRole): TRole[] {
  if (!hasRole(actorRole, "admin")) return [];
  return actorRole === "owner" ? [...ROLES] : ROLES.filter((r) => r !== "owner");
}

/**
 * Why the actor may not move a member from `from` to `to` (null when allowed). Only an Owner makes
 * or unmakes Owners; the last-Owner rule needs the team's data and is checked where it is changed.
 */
export function roleChangeRefusal(actorRole: TRole, from: TRole, to: TRole | null): string | null {
  if (!hasRole(actorRole, "admin")) return `Your role (${ROLE_LABELS[actorRole]}) cannot manage members.`;
  if ((from === "owner" || to === "owner") && actorRole !== "owner") {
    return to === null ? "Only an Owner can remove an Owner." : from === "owner" ? "Only an Owner can change an Owner's role." : "Only an Owner can make someone an Owner.";
  }
  return null;
}
