import type { TSourceConnectionFields } from "@/lib/source/connection-input";

const SSL_STRENGTH = { disable: 0, require: 1, "verify-ca": 2, "verify-full": 3 } as const;

const LABELS: Record<string, string> = {
  host: "host",
  port: "port",
  username: "username",
  ssh: "SSH server",
  ssl: "SSL verification",
};

/**
 * The settings that decide where the saved password is sent (or who can read it on the way). When any
 * of them changes, reusing the stored password would hand it to a server the editor chose: the editor
 * must type it again. A stronger SSL mode is not a redirect; a weaker one, or a new CA while verifying,
 * is.
 */
export function credentialTargetChanges(current: TSourceConnectionFields, next: TSourceConnectionFields): string[] {
  const out: string[] = [];
  if (current.host !== next.host) out.push("host");
  if (current.port !== next.port) out.push("port");
  if (current.username !== next.username) out.push("username");
  const sshBefore = current.sshEnabled ? `${current.sshHost}:${current.sshPort}:${current.sshUser}` : null;
  const sshAfter = next.sshEnabled ? `${next.sshHost}:${next.sshPort}:${next.sshUser}` : null;
  if (sshBefore !== sshAfter) out.push("ssh");
  const weaker = SSL_STRENGTH[next.sslMode] < SSL_STRENGTH[current.sslMode];
  const newCa = SSL_STRENGTH[current.sslMode] >= SSL_STRENGTH["verify-ca"] && (current.sslCa ?? "") !== (next.sslCa ?? "");
  if (weaker || newCa) out.push("ssl");
  return out;
}

/** The message next to Password, naming what changed. */
export function passwordAgainMessage(changes: string[]): string {
  return `Enter the password again: the ${changes.map((c) => LABELS[c] ?? c).join(", ")} changed, and the saved password is only sent where it was saved for.`;
}
