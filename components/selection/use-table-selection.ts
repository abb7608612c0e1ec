"use client";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { refreshCatalogAction, setTrackedAction } from "@/lib/selection/actions";
import type { TCatalogListRow, TCatalogTree } from "@/lib/selection/catalog-query";
import type { TCatalogRefresh } from "@/lib/source/discovery-store";
import { unwrap } from "./api";
import { selectionCommands, type TRunChange } from "./selection-commands";
import { useCatalogList } from "./use-catalog-list";

type TOptions = {
  integrationId: string;
  canEdit: boolean;
  initialTree: TCatalogTree;
  initialDatabase: string | null;
};

/** Everything the Tables to Replicate tab shows and changes: the catalog, the open rows and dialogs, the changes. */
export function useTableSelection({ integrationId, canEdit, initialTree, initialDatabase }: TOptions) {
  const catalog = useCatalogList(integrationId, initialTree, initialDatabase);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [settingsFor, setSettingsFor] = useState<TCatalogListRow | null>(null);
  const [resetFor, setResetFor] = useState<TCatalogListRow | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [lastRefresh, setLastRefresh] = useState<TCatalogRefresh | null>(null);

  const mutation = useMutation({
    mutationFn: async (run: () => Promise<unknown>) => run(),
    onMutate: () => setError(null),
    onError: (e: Error) => setError(e.message),
    onSettled: catalog.invalidate,
  });

  const refresh = useMutation({
    mutationFn: () => unwrap(refreshCatalogAction({ integrationId })),
    onMutate: () => setError(null),
    onSuccess: (r) => {
      setLastRefresh(r);
      catalog.openOnOwnDatabase(r);
    },
    onError: (e: Error) => setError(e.message),
    onSettled: catalog.invalidate,
  });

  // First visit: nothing discovered yet, so discover now.
  const autoRan = useRef(false);
  useEffect(() => {
    if (!autoRan.current && canEdit && initialTree.discoveredAt === null) {
      autoRan.current = true;
      refresh.mutate();
    }
  }, [canEdit, initialTree.discoveredAt, refresh]);

  const run: TRunChange = (fn, message) =>
    mutation.mutate(async () => {
      setNotice(null);
      await fn();
      if (message) setNotice(message);
    });

  // Decided from the latest set inside the updater, so quick clicks never act on a stale one.
  const setRowOpen = (tableKey: string, open: (wasOpen: boolean) => boolean) =>
    setExpanded((s) => {
      const n = new Set(s);
      if (open(n.has(tableKey))) n.add(tableKey);
      else n.delete(tableKey);
      return n;
    });

  return {
    ...catalog,
    ...selectionCommands({ integrationId, run, setNotice, closeSettings: () => setSettingsFor(null), invalidate: catalog.invalidate }),
    refresh,
    busy: mutation.isPending,
    error,
    notice,
    lastRefresh,
    expanded,
    settingsFor,
    setSettingsFor,
    resetFor,
    setResetFor,
    toggleExpanded: (tableKey: string) => setRowOpen(tableKey, (wasOpen) => !wasOpen),
    track: (row: TCatalogListRow, tracked: boolean) => {
      setRowOpen(row.tableKey, () => tracked);
      run(() => unwrap(setTrackedAction({ integrationId, tableKey: row.tableKey, tracked })));
    },
  };
}
