"use client";
import type { TCatalogTree } from "@/lib/selection/catalog-query";

export type TScope = { database: string | null; schema: string | null };

/** Databases → schemas, each with its table count and how many are tracked. */
export function CatalogTreeNav({ tree, scope, onScope }: { tree: TCatalogTree; scope: TScope; onScope: (s: TScope) => void }) {
  const item = (active: boolean) => `flex w-full items-center justify-between gap-2 rounded-md px-2 py-1 text-left text-sm ${active ? "bg-indigo-50 font-semibold text-indigo-700" : "text-slate-700 hover:bg-slate-100"}`;
  return (
    <nav aria-label="Databases and schemas" className="space-y-1">
      <button type="button" className={item(!scope.database)} aria-current={!scope.database ? "true" : undefined} onClick={() => onScope({ database: null, schema: null })}>
        <span>All databases</span>
        <span className="text-xs text-slate-500">{tree.total}</span>
      </button>
      {tree.databases.map((d) => (
        <div key={d.name}>
          <button
            type="button"
            className={item(scope.database === d.name && !scope.schema)}
            aria-current={scope.database === d.name && !scope.schema ? "true" : undefined}
            onClick={() => onScope({ database: d.name, schema: null })}
          >
            <span className="truncate" title={d.name}>
              {d.name}
            </span>
            <span className="text-xs text-slate-500">{d.tracked ? `${d.tracked}/` : ""}{d.tables}</span>
          </button>
          <ul className="ml-4 border-l border-slate-200 pl-2">
            {d.schemas.map((s) => (
              <li key={s.name}>
                <button
                  type="button"
                  className={item(scope.database === d.name && scope.schema === s.name)}
                  aria-current={scope.database === d.name && scope.schema === s.name ? "true" : undefined}
                  onClick={() => onScope({ database: d.name, schema: s.name })}
                >
                  <span className="truncate" title={s.name}>{s.name}</span>
                  <span className="text-xs text-slate-500">{s.tracked ? `${s.tracked}/` : ""}{s.tables}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}
