"use client";
import { Button } from "@/components/ui/field";
import type { TCatalogTree } from "@/lib/selection/catalog-query";

type TProps = { tree: TCatalogTree; canEdit: boolean; refreshing: boolean; onRefresh: () => void };

/** What discovery found and when, with Refresh for editors. */
export function CatalogSummary({ tree, canEdit, refreshing, onRefresh }: TProps) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <p className="text-sm text-slate-600">
        {tree.total.toLocaleString("en-US")} tables, views and materialized views in {tree.databases.length} database{tree.databases.length === 1 ? "" : "s"}
        {tree.discoveredAt ? ` · discovered ${new Date(tree.discoveredAt).toISOString().replace("T", " ").slice(0, 19)} UTC` : ""}
      </p>
      {canEdit ? (
        <Button type="button" variant="secondary" onClick={onRefresh} disabled={refreshing}>
          {refreshing ? "Discovering…" : "Refresh"}
        </Button>
      ) : null}
    </div>
  );
}
