"use client";
import type { ReactNode } from "react";
import { Button, FormError } from "@/components/ui/field";
import type { TCheckResult } from "@/lib/integrations/create-integration";
import { CheckSteps } from "./check-steps";
import { ConnectionFieldset } from "./connection-fieldset";
import { CheckboxField } from "./inputs";
import { SshSslFieldset } from "./ssh-ssl-fieldset";
import { useConnectionForm } from "./use-connection-form";

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
  const { ssh, setSsh, publicKey, fieldErrors, formError, result, pending, onSubmit } = useConnectionForm({ mode, flavour, integrationId, initial, onResult });
  const rds = flavour === "rds";

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6" aria-label={mode === "create" ? "Connection settings" : "Edit connection settings"}>
      <FormError message={formError} />
      <ConnectionFieldset mode={mode} rds={rds} initial={initial} fieldErrors={fieldErrors} />

      <SshSslFieldset rds={rds} initial={initial} fieldErrors={fieldErrors} ssh={ssh} setSsh={setSsh} publicKey={publicKey} />

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
