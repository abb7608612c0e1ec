import type { TRole } from "@/db/schema";

const RANK: Record<TRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export const ROLE_LABELS: Record<TRole, string> = { owner: "Owner", admin: "Admin", member: "Member", viewer: "Viewer" };

/** Viewers read; Members edit integrations; Admins also destination and members; Owner everything. */
export function hasRole(actual: TRole, needed: TRole): boolean {
  return RANK[actual] >= RANK[needed];
}
