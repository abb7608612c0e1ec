"use client";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button, Field, FormError } from "@/components/ui/field";

type TErrors = { email?: string; password?: string; form?: string };

function parseSignInError(error: string): TErrors {
  try {
    const parsed = JSON.parse(error) as { field?: "email" | "password"; message?: string };
    if (parsed.field && parsed.message) return { [parsed.field]: parsed.message };
  } catch {
    /* not ours */
  }
  return { form: "Sign-in failed. Try again." };
}

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter();
  const [errors, setErrors] = useState<TErrors>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const local: TErrors = {};
    if (!email) local.email = "Enter your email address";
    else if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) local.email = "Enter a valid email address, like name@example.com";
    if (!password) local.password = "Enter your password";
    setErrors(local);
    if (local.email || local.password) return;
    setPending(true);
    const res = await signIn("credentials", { email, password, redirect: false });
    setPending(false);
    if (!res || res.error) {
      setErrors(parseSignInError(res?.error ?? ""));
      return;
    }
    router.push(callbackUrl);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={errors.form} />
      <Field label="Email" name="email" type="email" autoComplete="email" error={errors.email} />
      <Field label="Password" name="password" type="password" autoComplete="current-password" error={errors.password} />
      <Button type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
