import type { Dispatch, SetStateAction } from "react";
import { LEVELS, type TLevel } from "./log-levels";

/** The log's level checkboxes, text search and Follow switch. */
export function LogFilters({
  levels,
  setLevels,
  search,
  setSearch,
  follow,
  setFollow,
}: {
  levels: TLevel[];
  setLevels: Dispatch<SetStateAction<TLevel[]>>;
  search: string;
  setSearch: (s: string) => void;
  follow: boolean;
  setFollow: (f: boolean) => void;
}) {
  return (
    <div className="flex flex-wrap items-end gap-4 rounded-md border border-slate-200 bg-white p-3">
      <fieldset className="flex flex-wrap items-center gap-3">
        <legend className="sr-only">Levels</legend>
        {LEVELS.map((l) => (
          <label key={l} className="flex items-center gap-1.5 text-sm">
            <input
              type="checkbox"
              checked={levels.includes(l)}
              onChange={(e) => setLevels((cur) => (e.target.checked ? LEVELS.filter((x) => x === l || cur.includes(x)) : cur.filter((x) => x !== l)))}
              className="h-4 w-4"
            />
            {l}
          </label>
        ))}
      </fieldset>
      <div className="flex-1 space-y-1">
        <label htmlFor="log-search" className="block text-xs font-medium text-slate-600">
          Search the log
        </label>
        <input
          id="log-search"
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          placeholder="e.g. State update"
          className="block w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm"
        />
      </div>
      <label className="flex items-center gap-1.5 text-sm">
        <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} className="h-4 w-4" />
        Follow
      </label>
    </div>
  );
}
