"use client";
import type { TRole } from "@/db/schema";
import { Button, Field, FormError } from "@/components/ui/field";
import { ROLE_LABELS } from "@/lib/auth/roles";

/** The invitation's Role and optional Email, with the server's errors. */
export function InviteForm({
  roles,
  onSubmit,
  error,
  fieldErrors,
  pending,
}: {
  roles: TRole[];
  onSubmit: (e: React.FormEvent<HTMLFormElement>) => Promise<void>;
  error: string | null;
  fieldErrors: Record<string, string>;
  pending: boolean;
}) {
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4 sm:grid-cols-[10rem_1fr_auto] sm:items-end">
      <div className="sm:col-span-3">
        <FormError message={Object.keys(fieldErrors).length ? null : error} />
      </div>
      <div className="space-y-1">
        <label htmlFor="invite-role" className="block text-sm font-medium text-slate-700">
          Role
        </label>
        <select id="invite-role" name="role" defaultValue="member" className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm">
          {roles.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
        {fieldErrors.role ? <p className="text-sm text-red-600">{fieldErrors.role}</p> : null}
      </div>
      <Field label="Email (optional)" name="email" type="email" placeholder="Anyone with the link" error={fieldErrors.email} />
      <Button type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create Invitation Link"}
      </Button>
    </form>
  );
}
