"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { checkAndSaveAction, teamPublicKeyAction, updateIntegrationAction } from "@/lib/integrations/actions";
import type { TCheckResult } from "@/lib/integrations/create-integration";
import type { TConnectionFormValues } from "./connection-form";

/**
 * The connection form's state: the switches that show fields, the team's SSH public key (made on first
 * need), and submitting to check-and-save (create) or update (edit) with the server's field errors.
 */
export function useConnectionForm({
  mode,
  flavour,
  integrationId,
  initial,
  onResult,
}: {
  mode: "create" | "edit";
  flavour: "postgres" | "rds";
  integrationId?: string;
  initial: TConnectionFormValues;
  onResult?: (result: TCheckResult) => void;
}) {
  const router = useRouter();
  const [ssh, setSsh] = useState(initial.sshEnabled);
  const [publicKey, setPublicKey] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [result, setResult] = useState<TCheckResult | null>(null);
  const [pending, setPending] = useState(false);

  // The team's key pair is made on first need: when SSH Tunnel is ticked (or already on).
  useEffect(() => {
    if (!ssh || publicKey) return;
    let cancelled = false;
    void teamPublicKeyAction({}).then((res) => {
      if (cancelled) return;
      if (res.ok) setPublicKey(res.data.publicKey);
      else setFormError(res.error);
    });
    return () => {
      cancelled = true;
    };
  }, [ssh, publicKey]);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    fd.set("flavour", flavour);
    if (integrationId) fd.set("id", integrationId);
    setPending(true);
    setResult(null);
    setFormError(null);
    const res = mode === "create" ? await checkAndSaveAction(fd) : await updateIntegrationAction(fd);
    setPending(false);
    if (!res.ok) {
      setFieldErrors(res.fieldErrors);
      setFormError(Object.keys(res.fieldErrors).length ? "Check the highlighted fields." : res.error);
      return;
    }
    setFieldErrors({});
    setResult(res.data);
    onResult?.(res.data);
    if (res.data.saved && mode === "create") {
      router.push(`/integrations/${res.data.id}`);
      router.refresh();
    } else if (res.data.saved) router.refresh();
  }

  return { ssh, setSsh, publicKey, fieldErrors, formError, result, pending, onSubmit };
}
