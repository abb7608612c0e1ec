"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button, FormError } from "@/components/ui/field";
import { updateDestinationAction } from "@/lib/destination/actions";
import type { TDestinationCheck } from "@/lib/destination/check";
import type { TDestinationView } from "@/lib/destination/settings";
import { CheckReport } from "./check-report";
import { DestinationFields } from "./destination-fields";

/** The destination's PostgreSQL settings (seed 003). The password is never sent to the browser. */
export function DestinationForm({ initial, canEdit }: { initial: TDestinationView | null; canEdit: boolean }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ saved: boolean; check: TDestinationCheck } | null>(null);

  const submit = (form: FormData) =>
    start(async () => {
      setError(null);
      setResult(null);
      const res = await updateDestinationAction(form);
      if (!res.ok) {
        setError(res.error);
        setFieldErrors(res.fieldErrors);
        return;
      }
      setFieldErrors({});
      setResult(res.data);
      if (res.data.saved) router.refresh();
    });

  return (
    <div className="space-y-6">
      {result?.saved ? (
        <div role="status" className="rounded-md border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-800">
          <strong>Success!</strong> The connection test passed and the settings are saved.
        </div>
      ) : null}
      {result && !result.saved ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          The settings were not saved: fix what the check below reports, then click Update PostgreSQL Settings again.
        </div>
      ) : null}
      <form action={submit} className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        {!canEdit ? <p className="text-sm text-slate-600">Only Admins and the Owner can change the destination.</p> : null}
        <DestinationFields initial={initial} fieldErrors={fieldErrors} disabled={!canEdit || pending} />
        <FormError message={error} />
        {canEdit ? (
          <Button type="submit" disabled={pending}>
            {pending ? "Testing the connection…" : "Update PostgreSQL Settings"}
          </Button>
        ) : null}
      </form>
      {result ? <CheckReport check={result.check} /> : initial?.lastCheckedAt ? <p className="text-sm text-slate-600">Last successful check: {initial.lastCheckedAt.replace("T", " ").slice(0, 19)} UTC</p> : null}
    </div>
  );
}
