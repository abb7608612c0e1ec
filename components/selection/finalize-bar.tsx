"use client";
import { Button } from "@/components/ui/field";

type TProps = { pending: number; busy: boolean; onCancel: () => void; onFinalize: () => void };

/** Pinned to the window's foot: nothing changes for jobs until the user finalizes (or cancels) the pending changes. */
export function FinalizeBar({ pending, busy, onCancel, onFinalize }: TProps) {
  return (
    <div className="fixed inset-x-0 bottom-0 z-10 border-t border-slate-200 bg-white/95 px-6 py-3 shadow-lg">
      <div className="mx-auto flex max-w-6xl items-center justify-between gap-4">
        <p className="text-sm text-slate-700" aria-live="polite">
          {pending === 0 ? "No pending changes: what you see is what the next job replicates." : `${pending} table${pending === 1 ? "" : "s"} with pending changes. Nothing changes until you finalize.`}
        </p>
        <div className="flex gap-2">
          <Button type="button" variant="secondary" disabled={busy || pending === 0} onClick={onCancel}>
            Cancel
          </Button>
          <Button type="button" disabled={busy || pending === 0} onClick={onFinalize}>
            Finalize Your Selections
          </Button>
        </div>
      </div>
    </div>
  );
}
