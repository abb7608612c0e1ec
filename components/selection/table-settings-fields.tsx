import type { TReplicationMethod } from "@/db/schema";
import type { TCatalogListRow } from "@/lib/selection/catalog-query";
import { isColumnSelectable, type methodOptions, type replicationKeyCandidates } from "@/lib/selection/rules";

/** A field's value, its setter and the server's (or the form's) error for it. */
type TFieldProps<V> = { value: V; setValue: (v: V) => void; error: string | undefined };

function FieldAlert({ message }: { message: string | undefined }) {
  return message ? <p role="alert" className="text-sm text-red-600">{message}</p> : null;
}

/** Replication Method radios; a method that is not allowed is shown disabled with its reason. */
export function MethodFieldset({ options, value, setValue, error }: TFieldProps<TReplicationMethod> & { options: ReturnType<typeof methodOptions> }) {
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-slate-700">Replication Method</legend>
      {options.map((o) => (
        <div key={o.method}>
          <label className={`flex items-center gap-2 text-sm ${o.allowed ? "" : "text-slate-400"}`}>
            <input type="radio" name="method" value={o.method} checked={value === o.method} disabled={!o.allowed} onChange={() => setValue(o.method)} />
            {o.label}
          </label>
          {o.reason ? <p className="ml-6 text-xs text-slate-500">{o.reason}</p> : null}
        </div>
      ))}
      <FieldAlert message={error} />
    </fieldset>
  );
}

/** Key-based Incremental's Replication Key: one orderable column. */
export function ReplicationKeyField({ candidates, value, setValue, error }: TFieldProps<string> & { candidates: ReturnType<typeof replicationKeyCandidates> }) {
  return (
    <div className="space-y-1">
      <label htmlFor="replication-key" className="block text-sm font-medium text-slate-700">
        Replication Key
      </label>
      <select id="replication-key" value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={error ? true : undefined} className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm">
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
      <FieldAlert message={error} />
    </div>
  );
}

/** A view's key columns: the columns that identify a row, since a view has no primary key. */
export function ViewKeyColumnsFieldset({ row, value, setValue, error }: TFieldProps<string[]> & { row: TCatalogListRow }) {
  return (
    <fieldset className="space-y-1">
      <legend className="text-sm font-medium text-slate-700">View Key Columns</legend>
      <p className="text-xs text-slate-500">A view has no primary key: choose the columns that identify a row, so loads update instead of appending.</p>
      <div className="max-h-40 space-y-1 overflow-auto">
        {row.columns.filter(isColumnSelectable).map((c) => (
          <label key={c.name} className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={value.includes(c.name)} onChange={(e) => setValue(e.target.checked ? [...value, c.name] : value.filter((x) => x !== c.name))} />
            <span className="break-all">{c.name}</span>
          </label>
        ))}
      </div>
      <FieldAlert message={error} />
    </fieldset>
  );
}
