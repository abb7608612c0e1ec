"use client";

/** Search runs on the server (debounced by the caller); a new search starts on page 1. */
export function TableSearch({ value, onChange }: { value: string; onChange: (text: string) => void }) {
  return (
    <div className="w-full max-w-sm space-y-1">
      <label htmlFor="table-search" className="block text-sm font-medium text-slate-700">
        Search tables
      </label>
      <input
        id="table-search"
        type="search"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder="Table or schema.table"
        className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm"
      />
    </div>
  );
}
