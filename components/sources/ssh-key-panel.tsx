"use client";
import { CopyButton } from "./copy-button";

/** The team's public key and the seed's steps to authorize it on the SSH server. */
export function SshKeyPanel({ publicKey, sshUser }: { publicKey: string | null; sshUser: string }) {
  const user = sshUser.trim() || "stitch";
  const steps = publicKey
    ? [
        `adduser --disabled-password ${user}`,
        `mkdir -p /home/${user}/.ssh`,
        `echo "${publicKey}" >> /home/${user}/.ssh/authorized_keys`,
        `chown -R ${user}:${user} /home/${user}/.ssh`,
        `chmod -R 700 /home/${user}/.ssh`,
      ].join("\n")
    : "";
  return (
    <div className="space-y-2 rounded-md border border-slate-200 bg-slate-50 p-3" aria-label="SSH public key">
      <div className="flex items-center justify-between">
        <span className="text-sm font-medium">Public Key</span>
        {publicKey ? <CopyButton text={publicKey} label="Copy public key" /> : null}
      </div>
      {publicKey ? (
        <>
          <pre data-testid="ssh-public-key" className="overflow-x-auto font-mono text-xs break-all whitespace-pre-wrap">
            {publicKey}
          </pre>
          <p className="text-xs text-slate-600">Run these as root on the SSH server to create the user and authorize the key:</p>
          <div className="flex items-start justify-between gap-2">
            <pre className="flex-1 overflow-x-auto font-mono text-xs whitespace-pre-wrap">{steps}</pre>
            <CopyButton text={steps} label="Copy commands" />
          </div>
        </>
      ) : (
        <p className="text-xs text-slate-500">Making the team&apos;s key pair…</p>
      )}
    </div>
  );
}
