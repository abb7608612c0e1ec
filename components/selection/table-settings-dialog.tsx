"use client";
import { useState } from "react";
import type { TReplicationMethod } from "@/db/schema";
import type { TCatalogListRow } from "@/lib/selection/catalog-query";
import { changeResetsTable, isViewLike, methodOptions, replicationKeyCandidates, type TLogBasedAvailability } from "@/lib/selection/rules";
import { Button, FormError } from "@/components/ui/field";
import { Dialog } from "./dialog";
import { MethodFieldset, ReplicationKeyField, ViewKeyColumnsFieldset } from "./table-settings-fields";

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
        <MethodFieldset options={options} value={method} setValue={setMethod} error={errors.fields.method} />

        {method === "key_based" ? <ReplicationKeyField candidates={candidates} value={key} setValue={setKey} error={errors.fields.replicationKey} /> : null}

        {viewLike ? <ViewKeyColumnsFieldset row={row} value={viewKeys} setValue={setViewKeys} error={errors.fields.viewKeyColumns} /> : null}

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
