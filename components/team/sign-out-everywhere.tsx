"use client";
import { signOut } from "next-auth/react";
import { useState } from "react";
import { signOutEverywhereAction } from "@/lib/account/actions";
import { Button, FormError } from "@/components/ui/field";

export function SignOutEverywhere() {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  async function onClick() {
    setPending(true);
    const res = await signOutEverywhereAction({});
    if (!res.ok) {
      setPending(false);
      setError(res.error);
      return;
    }
    await signOut({ callbackUrl: "/sign-in" });
  }
  return (
    <div className="space-y-3">
      <FormError message={error} />
      <Button type="button" variant="danger" disabled={pending} onClick={() => void onClick()}>
        {pending ? "Signing out…" : "Sign Out of All Sessions"}
      </Button>
    </div>
  );
}
