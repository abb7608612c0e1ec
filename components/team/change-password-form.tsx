"use client";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { changePasswordAction } from "@/lib/account/actions";
import { Button, Field, FormError } from "@/components/ui/field";

/** Re-authenticates with the current password, sets the new one, then signs this browser in again with it. */
export function ChangePasswordForm({ email }: { email: string }) {
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const newPassword = String(form.get("newPassword") ?? "");
    setPending(true);
    setDone(false);
    const res = await changePasswordAction({
      currentPassword: String(form.get("currentPassword") ?? ""),
      newPassword,
      confirmPassword: String(form.get("confirmPassword") ?? ""),
    });
    if (!res.ok) {
      setPending(false);
      setFieldErrors(res.fieldErrors);
      setError(Object.keys(res.fieldErrors).length ? null : res.error);
      return;
    }
    setFieldErrors({});
    setError(null);
    // The change ended every session, this one too: sign in again with the new password.
    const again = await signIn("credentials", { email, password: newPassword, redirect: false });
    setPending(false);
    if (again?.error) {
      router.push("/sign-in");
      return;
    }
    formRef.current?.reset();
    setDone(true);
    router.refresh();
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={error} />
      {done ? (
        <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          Your password was changed. Other sessions were signed out.
        </p>
      ) : null}
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" error={fieldErrors.currentPassword} />
      <Field
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        error={fieldErrors.newPassword}
        hint="At least 10 characters, with letters and a number."
      />
      <Field label="Confirm new password" name="confirmPassword" type="password" autoComplete="new-password" error={fieldErrors.confirmPassword} />
      <Button type="submit" disabled={pending}>
        {pending ? "Changing…" : "Change Password"}
      </Button>
    </form>
  );
}
