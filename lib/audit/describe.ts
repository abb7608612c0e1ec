/** Plain-words names of audit actions; unknown ones (other features' new actions) show their code. */
const ACTION_LABELS: Record<string, string> = {
  "team.created": "Created the team",
  "member.joined": "Joined the team",
  "member.role_changed": "Changed a member's role",
  "member.removed": "Removed a member",
  "invitation.created": "Created an invitation link",
  "invitation.revoked": "Revoked an invitation",
  "account.password_changed": "Changed their password",
  "account.signed_out_everywhere": "Signed out of all sessions",
};

export function describeAuditAction(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

/** Details as short "key: value" pairs for the table (values already redacted when recorded). */
export function formatAuditDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}
