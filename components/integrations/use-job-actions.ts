"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";

type TActionResultLike = { ok: true } | { ok: false; error: string };
export type TJobButton = "verify" | "repair" | "run";
export type TJobNotice = { kind: "ok" | "error"; text: string };

/** Runs one job action at a time, keeps its notice, and refreshes the integration's state and jobs after it. */
export function useJobActions(integrationId: string) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, start] = useTransition();
  // Which button's action is in flight: only that one says "Working…".
  const [busy, setBusy] = useState<TJobButton | null>(null);
  const [notice, setNotice] = useState<TJobNotice | null>(null);

  const act = (fn: () => Promise<TActionResultLike>, okText: string, which: TJobButton | null = null) =>
    start(async () => {
      setBusy(which);
      setNotice(null);
      const res = await fn();
      if (res.ok) {
        setNotice({ kind: "ok", text: okText });
        await queryClient.invalidateQueries({ queryKey: ["integration-state", integrationId] });
        await queryClient.invalidateQueries({ queryKey: ["jobs", integrationId] });
        router.refresh();
      } else setNotice({ kind: "error", text: res.error });
    });

  return { act, pending, busy, notice };
}
