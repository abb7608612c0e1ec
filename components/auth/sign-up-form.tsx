"use client";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { signUpAction } from "@/lib/auth/actions";
import { Button, Field, FormError } from "@/components/ui/field";

export function SignUpForm({ invitationToken, setupToken }: { invitationToken?: string; setupToken?: string }) {
  const router = useRouter();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    const res = await signUpAction({
      name: String(form.get("name") ?? ""),
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      invitationToken,
      setupToken,
    });
    if (!res.ok) {
      setPending(false);
      setFieldErrors(res.fieldErrors);
      setFormError(Object.keys(res.fieldErrors).length ? null : res.error);
      return;
    }
    setFieldErrors({});
    const signedIn = await signIn("credentials", { email: res.data.email, password: String(form.get("password") ?? ""), redirect: false });
    setPending(false);
    if (signedIn?.error) {
      setFormError("Your account was created, but signing in failed. Sign in with your new password.");
      return;
    }
    router.push("/");
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={formError} />
      <Field label="Name" name="name" autoComplete="name" error={fieldErrors.name} />
      <Field label="Email" name="email" type="email" autoComplete="email" error={fieldErrors.email} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        error={fieldErrors.password}
        hint="At least 10 characters, with letters and a number."
      />
      <Button type="submit" disabled={pending}>
        {pending ? "Creating your account…" : "Create account"}
      </Button>
    </form>
  );
}
