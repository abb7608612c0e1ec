"use client";
import { useState } from "react";
import { Field } from "@/components/ui/field";
import { SelectField } from "@/components/sources/inputs";
import type { TDestinationView } from "@/lib/destination/settings";

/** The destination form's fields: address, credentials and SSL (the password is never sent to the browser). */
export function DestinationFields({ initial, fieldErrors, disabled }: { initial: TDestinationView | null; fieldErrors: Record<string, string>; disabled: boolean }) {
  const [ssl, setSsl] = useState((initial?.sslMode ?? "disable") !== "disable");
  return (
    <fieldset disabled={disabled} className="grid gap-4 sm:grid-cols-2">
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
      <SslCertificateField defaultValue={initial?.sslCa ?? ""} error={fieldErrors.sslCa} />
    </fieldset>
  );
}

function SslCertificateField({ defaultValue, error }: { defaultValue: string; error: string | undefined }) {
  return (
    <div className="space-y-1 sm:col-span-2">
      <label htmlFor="field-sslCa" className="block text-sm font-medium text-slate-700">
        SSL Certificate
      </label>
      <textarea
        id="field-sslCa"
        name="sslCa"
        rows={4}
        defaultValue={defaultValue}
        placeholder="-----BEGIN CERTIFICATE-----"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "field-sslCa-error" : "field-sslCa-hint"}
        className={`block w-full rounded-md border px-3 py-2 font-mono text-xs shadow-sm focus:outline-none focus:ring-2 focus:ring-indigo-500 ${error ? "border-red-500" : "border-slate-300"}`}
      />
      {error ? (
        <p id="field-sslCa-error" role="alert" className="text-sm text-red-600">
          {error}
        </p>
      ) : (
        <p id="field-sslCa-hint" className="text-xs text-slate-500">
          With SSL: the CA (or server) certificate the server&apos;s certificate must verify against. Needed for verify-ca; for verify-full, the system&apos;s CAs are used without it.
        </p>
      )}
    </div>
  );
}
