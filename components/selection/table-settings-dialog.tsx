"use client";
import { useState } from "react";
import type { TReplicationMethod } from "@/db/schema";
import type { TCatalogListRow } from "@/lib/selection/catalog-query";
import { changeResetsTable, isColumnSelectable, isViewLike, methodOptions, replicationKeyCandidates, type TLogBasedAvailability } from "@/lib/selection/rules";
import { Button, FormError } from "@/components/ui/field";
import { Dialog } from "./dialog";

export type TSettingsInput = { method: TReplicationMethod; replicationKey: string[]; viewKeyColumns: string[] };

/**
 * `Table Settings`: Replication Method (log-based not offered for views, or when its prerequisites
 * failed, with the reason), Replication Key for key-based (orderable columns only), a view's key columns.
 */
export function TableSettingsDialog({
  row,
  logBased,
  onClose,
  onSave,
}: {
  row: TCatalogListRow;
  logBased: TLogBasedAvailability;
  onClose: () => void;
  onSave: (s: TSettingsInput) => Promise<{ error?: string; fieldErrors?: Record<string, string> } | void>;
}) {
  const state = row.state;
  const [method, setMethod] = useState<TReplicationMethod>(state?.method ?? "full_table");
  const [key, setKey] = useState<string>(state?.replicationKey[0] ?? "");
  const [viewKeys, setViewKeys] = useState<string[]>(state?.viewKeyColumns ?? []);
  const [errors, setErrors] = useState<{ form?: string; fields: Record<string, string> }>({ fields: {} });
  const [saving, setSaving] = useState(false);
  const options = methodOptions(row, logBased);
  const candidates = replicationKeyCandidates(row);
  const viewLike = isViewLike(row);
  const label = `${row.schema}.${row.name}`;
  const next = { method, replicationKey: method === "key_based" && key ? [key] : [], viewKeyColumns: viewLike ? viewKeys : [] };
  const resets = state ? changeResetsTable(row.finalized, { ...state, ...next }) : false;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (method === "key_based" && !key) {
      setErrors({ fields: { replicationKey: "Key-based Incremental needs a Replication Key." } });
      return;
    }
    setSaving(true);
    const res = await onSave(next);
    setSaving(false);
    if (res && (res.error || res.fieldErrors)) setErrors({ form: res.error, fields: res.fieldErrors ?? {} });
  }

  return (
    <Dialog title={`Table Settings — ${label}`} onClose={onClose}>
      <form onSubmit={submit} className="space-y-4" noValidate>
        <FormError message={errors.form} />
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-700">Replication Method</legend>
          {options.map((o) => (
            <div key={o.method}>
              <label className={`flex items-center gap-2 text-sm ${o.allowed ? "" : "text-slate-400"}`}>
                <input type="radio" name="method" value={o.method} checked={method === o.method} disabled={!o.allowed} onChange={() => setMethod(o.method)} />
                {o.label}
              </label>
              {o.reason ? <p className="ml-6 text-xs text-slate-500">{o.reason}</p> : null}
            </div>
          ))}
          {errors.fields.method ? <p role="alert" className="text-sm text-red-600">{errors.fields.method}</p> : null}
        </fieldset>

        {method === "key_based" ? (
          <div className="space-y-1">
            <label htmlFor="replication-key" className="block text-sm font-medium text-slate-700">
              Replication Key
            </label>
            <select
              id="replication-key"
              value={key}
              onChange={(e) => setKey(e.target.value)}
              aria-invalid={errors.fields.replicationKey ? true : undefined}
              className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
            >
              <option value="">Choose a column…</option>
              {candidates.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} ({c.type})
                </option>
              ))}
            </select>
            <p className="text-xs text-slate-500">
              Only integer, numeric, date, timestamp, text and uuid columns can be a Replication Key.
              {candidates.length === 0 ? " This table has none; use Full Table." : ""}
            </p>
            {errors.fields.replicationKey ? <p role="alert" className="text-sm text-red-600">{errors.fields.replicationKey}</p> : null}
          </div>
        ) : null}

        {viewLike ? (
          <fieldset className="space-y-1">
            <legend className="text-sm font-medium text-slate-700">View Key Columns</legend>
            <p className="text-xs text-slate-500">A view has no primary key: choose the columns that identify a row, so loads update instead of appending.</p>
            <div className="max-h-40 space-y-1 overflow-auto">
              {row.columns.filter(isColumnSelectable).map((c) => (
                <label key={c.name} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={viewKeys.includes(c.name)}
                    onChange={(e) => setViewKeys((v) => (e.target.checked ? [...v, c.name] : v.filter((x) => x !== c.name)))}
                  />
                  <span className="break-all">{c.name}</span>
                </label>
              ))}
            </div>
            {errors.fields.viewKeyColumns ? <p role="alert" className="text-sm text-red-600">{errors.fields.viewKeyColumns}</p> : null}
          </fieldset>
        ) : null}

        {resets ? (
          <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800">
            Changing the Replication Method or Replication Key resets this table: once you finalize, the next job drops its bookmark and reloads it in full.
          </p>
        ) : null}

        <div className="flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={onClose}>
            Close
          </Button>
          <Button type="submit" disabled={saving}>
            {saving ? "Saving…" : "Update Settings"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
