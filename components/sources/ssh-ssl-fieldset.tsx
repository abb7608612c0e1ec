"use client";
import { useState } from "react";
import { Field } from "@/components/ui/field";
import type { TConnectionFormValues } from "./connection-form";
import { CheckboxField, SelectField, TextAreaField } from "./inputs";
import { SshKeyPanel } from "./ssh-key-panel";

/** The SSH and SSL fieldset: each switch shows its own fields; the SSH switch is the form's (it fetches the public key). */
export function SshSslFieldset({
  rds,
  initial,
  fieldErrors,
  ssh,
  setSsh,
  publicKey,
}: {
  rds: boolean;
  initial: TConnectionFormValues;
  fieldErrors: Record<string, string>;
  ssh: boolean;
  setSsh: (on: boolean) => void;
  publicKey: string | null;
}) {
  const [sshUser, setSshUser] = useState(initial.sshUser);
  const [ssl, setSsl] = useState(initial.sslMode !== "disable");
  return (
    <fieldset className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
      <legend className="px-1 text-sm font-semibold">SSH and SSL</legend>
      <CheckboxField label="SSH Tunnel" name="sshEnabled" checked={ssh} onChange={(e) => setSsh(e.target.checked)} hint="Connect through an SSH server when the database is not reachable directly." />
      {ssh ? (
        <div className="space-y-4 border-l-2 border-indigo-100 pl-4">
          <SshKeyPanel publicKey={publicKey} sshUser={sshUser} />
          <div className="grid gap-4 sm:grid-cols-[1fr_8rem]">
            <Field label="SSH Host" name="sshHost" defaultValue={initial.sshHost} error={fieldErrors.sshHost} />
            <Field label="SSH Port" name="sshPort" inputMode="numeric" defaultValue={String(initial.sshPort)} error={fieldErrors.sshPort} />
          </div>
          <Field label="SSH User" name="sshUser" value={sshUser} onChange={(e) => setSshUser(e.target.value)} error={fieldErrors.sshUser} />
        </div>
      ) : null}
      <CheckboxField label="Connect using SSL" name="sslEnabled" checked={ssl} onChange={(e) => setSsl(e.target.checked)} hint="The database must support and allow SSL connections." />
      {ssl ? (
        <div className="space-y-4 border-l-2 border-indigo-100 pl-4">
          <SelectField label="SSL Mode" name="sslMode" defaultValue={initial.sslMode === "disable" ? "require" : initial.sslMode} error={fieldErrors.sslMode}>
            <option value="require">require — encrypt, do not verify the certificate</option>
            <option value="verify-ca">verify-ca — verify the certificate against the CA</option>
            <option value="verify-full">verify-full — also verify the server&apos;s name</option>
          </SelectField>
          <TextAreaField
            label="CA Certificate"
            name="sslCa"
            rows={5}
            defaultValue={initial.sslCa}
            error={fieldErrors.sslCa}
            placeholder={"-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----"}
            hint={rds ? "For RDS, paste the AWS RDS CA bundle certificate. Needed for verify-ca." : "PEM. Needed for verify-ca; for verify-full, the system's CAs are used without it."}
          />
        </div>
      ) : null}
    </fieldset>
  );
}
