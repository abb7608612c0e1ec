"use client";

/** `Remove`, then an inline confirmation (`Yes, remove` / `Cancel`) while this member is being confirmed. */
export function RemoveMember({
  email,
  confirming,
  disabled,
  onAsk,
  onConfirm,
  onCancel,
}: {
  email: string;
  confirming: boolean;
  disabled: boolean;
  onAsk: () => void;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  if (!confirming) {
    return (
      <button type="button" aria-label={`Remove ${email}`} className="text-sm font-medium text-red-700 hover:text-red-900" onClick={onAsk}>
        Remove
      </button>
    );
  }
  return (
    <span className="inline-flex items-center gap-2">
      <span className="text-slate-700">Remove {email}? Their sessions end now.</span>
      <button type="button" className="rounded-md bg-red-600 px-3 py-1 text-xs font-semibold text-white hover:bg-red-500" disabled={disabled} onClick={onConfirm}>
        Yes, remove
      </button>
      <button type="button" className="text-xs text-slate-600 hover:text-slate-900" onClick={onCancel}>
        Cancel
      </button>
    </span>
  );
}
