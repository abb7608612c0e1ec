"use client";
import type { TRole } from "@/db/schema";
import { ROLE_LABELS } from "@/lib/auth/roles";

/** A member's role as a select (its current role stays listed even when this actor cannot assign it). */
export function MemberRoleSelect({
  userId,
  email,
  role,
  assignable,
  disabled,
  onChange,
}: {
  userId: string;
  email: string;
  role: TRole;
  assignable: TRole[];
  disabled: boolean;
  onChange: (role: TRole) => void;
}) {
  return (
    <>
      <label htmlFor={`role-${userId}`} className="sr-only">
        Role for {email}
      </label>
      <select id={`role-${userId}`} value={role} disabled={disabled} onChange={(e) => onChange(e.target.value as TRole)} className="rounded-md border border-slate-300 px-2 py-1 text-sm">
        {(assignable.includes(role) ? assignable : [role, ...assignable]).map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[r]}
          </option>
        ))}
      </select>
    </>
  );
}
