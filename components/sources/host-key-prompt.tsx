import { Button } from "@/components/ui/field";

/** A changed SSH host key: an Admin may accept it, anyone else is told who can. */
export function HostKeyPrompt({ changedKey, canAccept, pending, onAccept }: { changedKey: string | null; canAccept: boolean; pending: boolean; onAccept: (key: string) => Promise<void> }) {
  if (changedKey && canAccept) {
    return (
      <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
        <p>
          Accept <code className="font-mono">{changedKey}</code> as this SSH server&apos;s host key only if you know the server was changed on purpose.
        </p>
        <Button type="button" variant="danger" disabled={pending} onClick={() => onAccept(changedKey)}>
          Accept new host key
        </Button>
      </div>
    );
  }
  return changedKey ? <p className="text-sm text-amber-800">Only an Admin can accept the SSH server&apos;s new host key.</p> : null;
}
