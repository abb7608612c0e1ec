"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button, Field, FormError } from "@/components/ui/field";
import { SelectField } from "@/components/sources/inputs";
import { updateDestinationAction } from "@/lib/destination/actions";
import type { TDestinationCheck } from "@/lib/destination/check";
import type { TDestinationView } from "@/lib/destination/settings";
import { CheckReport } from "./check-report";

/** The destination's PostgreSQL settings (seed 003). The password is never sent to the browser. */
export function DestinationForm({ initial, canEdit }: { initial: TDestinationView | null; canEdit: boolean }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [ssl, setSsl] = useState((initial?.sslMode ?? "disable") !== "disable");
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
        <fieldset disabled={!canEdit || pending} className="grid gap-4 sm:grid-cols-2">
          <div className="sm:col-span-2">
            <Field label="Host (Endpoint)" name="host" defaultValue={initial?.host ?? ""} error={fieldErrors.host} required autoComplete="off" />
          </div>
          <Field label="Port" name="port" type="number" defaultValue={initial?.port ?? 5432} error={fieldErrors.port} required />
          <Field label="Database" name="database" defaultValue={initial?.database ?? ""} error={fieldErrors.database} required autoComplete="off" />
          <Field label="Username" name="username" defaultValue={initial?.username ?? ""} error={fieldErrors.username} required autoComplete="off" />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            placeholder={initial?.hasPassword ? "Saved — leave empty to keep it" : ""}
            error={fieldErrors.password}
            hint={initial?.hasPassword ? "A password is saved (encrypted). Type a new one to replace it." : undefined}
          />
          <div className="flex items-center gap-2 sm:col-span-2">
            <input id="field-ssl" name="ssl" type="checkbox" checked={ssl} onChange={(e) => setSsl(e.target.checked)} className="h-4 w-4 rounded border-slate-300" />
            <label htmlFor="field-ssl" className="text-sm font-medium text-slate-700">
              Connect using SSL
            </label>
          </div>
          {ssl ? (
            <div className="sm:col-span-2">
              <SelectField label="SSL Mode" name="sslMode" defaultValue={initial && initial.sslMode !== "disable" ? initial.sslMode : "verify-full"} error={fieldErrors.sslMode}>
                <option value="require">require — encrypt, do not verify the certificate</option>
                <option value="verify-ca">verify-ca — verify the certificate against the CA</option>
                <option value="verify-full">verify-full — also verify the server&apos;s name</option>
              </SelectField>
            </div>
          ) : null}
          <div className="space-y-1 sm:col-span-2">
            <label htmlFor="field-sslCa" className="block text-sm font-medium text-slate-700">
              SSL Certificate
            </label>
            <textarea
              id="field-sslCa"
              name="sslCa"
              rows={4}
              defaultValue={initial?.sslCa ?? ""}
              placeholder="-----BEGIN CERTIFICATE-----"
              aria-invalid={fieldErrors.sslCa ? true : undefined}
              aria-describedby={fieldErrors.sslCa ? "field-sslCa-error" : "field-sslCa-hint"}
              className={`block w-full rounded-md border px-3 py-2 font-mono text-xs shadow-sm focus:outline-none focus:ring-2 focus:ring-indigo-500 ${fieldErrors.sslCa ? "border-red-500" : "border-slate-300"}`}
            />
            {fieldErrors.sslCa ? (
              <p id="field-sslCa-error" role="alert" className="text-sm text-red-600">
                {fieldErrors.sslCa}
              </p>
            ) : (
              <p id="field-sslCa-hint" className="text-xs text-slate-500">
                With SSL: the CA (or server) certificate the server&apos;s certificate must verify against. Needed for verify-ca; for verify-full, the system&apos;s CAs are used without it.
              </p>
            )}
          </div>
        </fieldset>
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
