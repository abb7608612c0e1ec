"use client";
import { useState } from "react";
import { Field } from "@/components/ui/field";
import { schemaNameFromIntegrationName } from "@/lib/naming/identifiers";
import type { TConnectionFormValues } from "./connection-form";
import { CheckboxField } from "./inputs";

/** The Connection fieldset: name (with the destination schema it gives), host, port, credentials, database. */
export function ConnectionFieldset({ mode, rds, initial, fieldErrors }: { mode: "create" | "edit"; rds: boolean; initial: TConnectionFormValues; fieldErrors: Record<string, string> }) {
  const [name, setName] = useState(initial.name);
  const schemaName = mode === "edit" ? (initial.schemaName ?? "") : schemaNameFromIntegrationName(name);
  return (
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
  );
}
