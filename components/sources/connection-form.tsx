"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { checkAndSaveAction, teamPublicKeyAction, updateIntegrationAction } from "@/lib/integrations/actions";
import { Button, Field, FormError } from "@/components/ui/field";
import type { TCheckResult } from "@/lib/integrations/create-integration";
import { schemaNameFromIntegrationName } from "@/lib/naming/identifiers";
import { CheckSteps } from "./check-steps";
import { CheckboxField, SelectField, TextAreaField } from "./inputs";
import { SshKeyPanel } from "./ssh-key-panel";

export type TConnectionFormValues = {
  name: string;
  schemaName?: string;
  host: string;
  port: number;
  username: string;
  database: string;
  includeSchemaNames: boolean;
  sshEnabled: boolean;
  sshHost: string;
  sshPort: number;
  sshUser: string;
  sslMode: "disable" | "require" | "verify-ca" | "verify-full";
  sslCa: string;
  logBased: boolean;
};

export const EMPTY_CONNECTION: TConnectionFormValues = {
  name: "",
  host: "",
  port: 5432,
  username: "",
  database: "",
  includeSchemaNames: false,
  sshEnabled: false,
  sshHost: "",
  sshPort: 22,
  sshUser: "",
  sslMode: "disable",
  sslCa: "",
  logBased: true,
};

/**
 * The connection form of PRODUCT.md flow 3 (create) and of the Settings tab (edit). Every value is
 * validated on the server; messages come back next to their fields. `extraFields` lets the schedule
 * fields live in the same form (their inputs are sent along by name).
 */
export function ConnectionForm({
  mode,
  flavour,
  integrationId,
  initial = EMPTY_CONNECTION,
  extraFields,
  onResult,
}: {
  mode: "create" | "edit";
  flavour: "postgres" | "rds";
  integrationId?: string;
  initial?: TConnectionFormValues;
  /** Fields sent with the form; a function receives the server's field errors to show next to them. */
  extraFields?: ReactNode | ((fieldErrors: Record<string, string>) => ReactNode);
  onResult?: (result: TCheckResult) => void;
}) {
  const router = useRouter();
  const [name, setName] = useState(initial.name);
  const [ssh, setSsh] = useState(initial.sshEnabled);
  const [sshUser, setSshUser] = useState(initial.sshUser);
  const [ssl, setSsl] = useState(initial.sslMode !== "disable");
  const [publicKey, setPublicKey] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [result, setResult] = useState<TCheckResult | null>(null);
  const [pending, setPending] = useState(false);
  const schemaName = mode === "edit" ? (initial.schemaName ?? "") : schemaNameFromIntegrationName(name);
  const rds = flavour === "rds";

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

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6" aria-label={mode === "create" ? "Connection settings" : "Edit connection settings"}>
      <FormError message={formError} />
      <fieldset className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
        <legend className="px-1 text-sm font-semibold">Connection</legend>
        {mode === "create" ? (
          <Field
            label="Integration Name"
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={fieldErrors.name}
            hint={
              <span>
                Destination schema: <code data-testid="schema-preview" className="font-mono">{schemaName || "—"}</code> (cannot be changed after saving)
              </span>
            }
          />
        ) : (
          <p className="text-sm text-slate-600">
            Destination schema <code className="font-mono">{schemaName}</code> (fixed since the integration was saved)
          </p>
        )}
        <div className="grid gap-4 sm:grid-cols-[1fr_8rem]">
          <Field label="Host (Endpoint)" name="host" defaultValue={initial.host} error={fieldErrors.host} placeholder={rds ? "mydb.abc123.eu-west-1.rds.amazonaws.com" : "db.example.com"} hint={rds ? "The Endpoint from the RDS console, without the port." : undefined} />
          <Field label="Port" name="port" inputMode="numeric" defaultValue={String(initial.port)} error={fieldErrors.port} />
        </div>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Username" name="username" autoComplete="off" defaultValue={initial.username} error={fieldErrors.username} />
          <Field label="Password" name="password" type="password" autoComplete="new-password" error={fieldErrors.password} hint={mode === "edit" ? "Leave empty to keep the saved password." : undefined} />
        </div>
        <Field label="Database" name="database" defaultValue={initial.database} error={fieldErrors.database} hint="Every database this user can connect to is discovered; this one is used to connect." />
        <CheckboxField
          label="Include PostgreSQL schema names in destination tables"
          name="includeSchemaNames"
          defaultChecked={initial.includeSchemaNames}
          disabled={mode === "edit"}
          hint={mode === "edit" ? "Cannot be changed after the integration is saved." : "Destination tables are named <source_schema>__<table>; prevents name collisions."}
        />
      </fieldset>

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

      <fieldset className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
        <legend className="px-1 text-sm font-semibold">Replication</legend>
        <CheckboxField
          label="Log-based Replication"
          name="logBased"
          defaultChecked={initial.logBased}
          hint="Make Log-based Incremental the default Replication Method for tables set to replicate (changeable per table in Table Settings)."
        />
        {typeof extraFields === "function" ? extraFields(fieldErrors) : extraFields}
      </fieldset>

      {result ? <CheckSteps diagnosis={result.diagnosis} /> : null}
      {result?.saved && mode === "edit" ? (
        <p role="status" className="text-sm font-medium text-green-700">
          Success! The settings are saved.
        </p>
      ) : null}
      {result?.saved && mode === "create" ? (
        <p role="status" className="text-sm font-medium text-green-700">
          Success! Opening the integration…
        </p>
      ) : null}
      {result && !result.saved ? <p className="text-sm text-slate-600">Nothing was saved. Fix the failing step and try again.</p> : null}

      <Button type="submit" disabled={pending}>
        {pending ? "Checking…" : "Check and Save"}
      </Button>
    </form>
  );
}
