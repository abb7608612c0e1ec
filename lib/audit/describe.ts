/** Plain-words names of audit actions; others' actions get a readable form of their code ("catalog.refresh" → "Catalog: refresh"). */
const ACTION_LABELS: Record<string, string> = {
  "team.created": "Created the team",
  "member.joined": "Joined the team",
  "member.role_changed": "Changed a member's role",
  "member.removed": "Removed a member",
  "invitation.created": "Created an invitation link",
  "invitation.revoked": "Revoked an invitation",
  "account.password_changed": "Changed their password",
  "account.signed_out_everywhere": "Signed out of all sessions",
  "auth.sign_in": "Signed in",
  "auth.sign_in_failed": "Failed to sign in (wrong password)",
  "auth.sign_in_locked": "Sign-in refused: too many failures",
  "integration.update_failed": "Tried to change an integration's connection (check failed)",
  "destination.update_failed": "Tried to change the destination (check failed)",
  "ssh_key.created": "Created the team's SSH key pair",
  "ssh_key.replaced": "Replaced the team's SSH key pair, which could not be loaded",
  "integration.prerequisites_rerun": "Re-ran the prerequisite checks",
  "integration.slot_create": "Created a replication slot",
  "integration.publication_create": "Created a publication",
};

export function describeAuditAction(action: string): string {
  const known = ACTION_LABELS[action];
  if (known) return known;
  const [head, ...rest] = action.replace(/_/g, " ").split(".");
  const subject = head ? head.charAt(0).toUpperCase() + head.slice(1) : action;
  return rest.length ? `${subject}: ${rest.join(" ")}` : subject;
}

/** Details as short "key: value" pairs for the table (values already redacted when recorded). */
export function formatAuditDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}
