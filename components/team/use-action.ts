"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { TActionResult } from "@/lib/server/action-result";

/** Runs a server action, keeps its error for display, and refreshes the page's server data on success. */
export function useTeamAction<R>(action: (input: unknown) => Promise<TActionResult<R>>) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [pending, startTransition] = useTransition();
  const run = (input: unknown, onOk?: (data: R) => void) =>
    new Promise<boolean>((resolve) => {
      startTransition(async () => {
        const res = await action(input);
        if (!res.ok) {
          setError(res.error);
          setFieldErrors(res.fieldErrors);
          resolve(false);
          return;
        }
        setError(null);
        setFieldErrors({});
        onOk?.(res.data);
        router.refresh();
        resolve(true);
      });
    });
  return { run, error, fieldErrors, pending, clearError: () => setError(null) };
}
