"use client";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useDebounce } from "use-debounce";
import { catalogTreeAction, listTablesAction } from "@/lib/selection/actions";
import type { TCatalogTree } from "@/lib/selection/catalog-query";
import type { TCatalogRefresh } from "@/lib/source/discovery-store";
import { unwrap } from "./api";
import type { TScope } from "./catalog-tree-nav";

/** The catalog's tree and one page of its tables for the chosen scope and search; both come from the server. */
export function useCatalogList(integrationId: string, initialTree: TCatalogTree, initialDatabase: string | null) {
  const qc = useQueryClient();
  const [scope, setScope] = useState<TScope>({
    database: initialDatabase && initialTree.databases.some((d) => d.name === initialDatabase) ? initialDatabase : null,
    schema: null,
  });
  const [searchText, setSearchText] = useState("");
  const search = useDebounce(searchText.trim(), 250)[0];
  const [page, setPage] = useState(0);
  const scopeTouched = useRef(false);

  const tree = useQuery({
    queryKey: ["catalog-tree", integrationId],
    queryFn: () => unwrap(catalogTreeAction({ integrationId })),
    initialData: initialTree,
  });
  const filter = { database: scope.database, schema: scope.schema, search: search || null };
  const list = useQuery({
    queryKey: ["catalog-tables", integrationId, filter, page],
    queryFn: () => unwrap(listTablesAction({ integrationId, ...filter, page })),
    placeholderData: keepPreviousData,
  });

  return {
    tree,
    list,
    scope,
    search,
    searchText,
    page,
    setPage,
    invalidate: () =>
      Promise.all([qc.invalidateQueries({ queryKey: ["catalog-tables", integrationId] }), qc.invalidateQueries({ queryKey: ["catalog-tree", integrationId] })]),
    chooseScope: (s: TScope) => {
      scopeTouched.current = true;
      setScope(s);
      setPage(0);
    },
    changeSearch: (text: string) => {
      setSearchText(text);
      setPage(0);
    },
    /** First discovery: open on the integration's own database unless the user already picked a scope. */
    openOnOwnDatabase: (r: TCatalogRefresh) => {
      if (!scopeTouched.current && initialDatabase && r.databases.some((d) => d.name === initialDatabase && d.tables > 0)) setScope({ database: initialDatabase, schema: null });
    },
  };
}
