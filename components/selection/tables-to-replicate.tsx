"use client";
import type { TReplicationMethod } from "@/db/schema";
import type { TCatalogTree } from "@/lib/selection/catalog-query";
import type { TLogBasedAvailability } from "@/lib/selection/rules";
import { Button } from "@/components/ui/field";
import { CatalogSummary } from "./catalog-summary";
import { CatalogTreeNav } from "./catalog-tree-nav";
import { FinalizeBar } from "./finalize-bar";
import { ResetKeysDialog } from "./reset-keys-dialog";
import { SelectionBanners } from "./selection-banners";
import { TableList } from "./table-list";
import { TablePager } from "./table-pager";
import { TableRow } from "./table-row";
import { TableSearch } from "./table-search";
import { TableSettingsDialog } from "./table-settings-dialog";
import { useTableSelection } from "./use-table-selection";

type TProps = {
  integrationId: string;
  defaultMethod: TReplicationMethod;
  logBased: TLogBasedAvailability;
  canEdit: boolean;
  initialTree: TCatalogTree;
  /** The integration's own database: the list opens on it. */
  initialDatabase: string | null;
};

/** The `Tables to Replicate` tab: databases → schemas → tables, search and paging on the server. */
export function TablesToReplicate({ integrationId, defaultMethod, logBased, canEdit, initialTree, initialDatabase }: TProps) {
  const s = useTableSelection({ integrationId, canEdit, initialTree, initialDatabase });
  const total = s.list.data?.total ?? 0;
  const settingsFor = s.settingsFor;
  const resetFor = s.resetFor;

  return (
    <div className="space-y-4 pb-24">
      <CatalogSummary tree={s.tree.data} canEdit={canEdit} refreshing={s.refresh.isPending} onRefresh={() => s.refresh.mutate()} />
      <SelectionBanners error={s.error} lastRefresh={s.lastRefresh} notice={s.notice} />

      <div className="grid gap-6 md:grid-cols-[14rem_minmax(0,1fr)]">
        <aside className="md:sticky md:top-4 md:self-start">
          <CatalogTreeNav tree={s.tree.data} scope={s.scope} onScope={s.chooseScope} />
        </aside>

        <section aria-label="Tables" className="min-w-0 space-y-3">
          <div className="flex flex-wrap items-end justify-between gap-3">
            <TableSearch value={s.searchText} onChange={s.changeSearch} />
            {canEdit && defaultMethod === "log_based" ? (
              <Button type="button" variant="secondary" disabled={s.busy || total === 0} onClick={s.trackAll}>
                Track All Tables and Fields (Except Views)
              </Button>
            ) : null}
          </div>

          <TableList
            rows={s.list.data?.rows}
            total={total}
            loading={s.list.isLoading}
            fetching={s.list.isFetching}
            refreshing={s.refresh.isPending}
            search={s.search}
            renderRow={(row) => (
              <TableRow
                key={`${row.tableKey}@${s.list.dataUpdatedAt}`}
                row={row}
                expanded={s.expanded.has(row.tableKey)}
                canEdit={canEdit}
                busy={s.busy}
                onToggleExpanded={() => s.toggleExpanded(row.tableKey)}
                onTrack={(t) => s.track(row, t)}
                onColumn={(column, selected) => s.setColumn(row, column, selected)}
                onSettings={() => s.setSettingsFor(row)}
                onResetKeys={() => s.setResetFor(row)}
              />
            )}
          />

          <TablePager page={s.page} total={total} pageSize={s.list.data?.pageSize ?? 50} setPage={s.setPage} />
        </section>
      </div>

      {canEdit ? <FinalizeBar pending={s.list.data?.pending ?? 0} busy={s.busy} onCancel={s.cancel} onFinalize={s.finalize} /> : null}

      {settingsFor ? <TableSettingsDialog row={settingsFor} logBased={logBased} onClose={() => s.setSettingsFor(null)} onSave={(input) => s.saveSettings(settingsFor, input)} /> : null}
      {resetFor ? (
        <ResetKeysDialog
          row={resetFor}
          onKeep={() => s.setResetFor(null)}
          onReset={() => {
            s.setResetFor(null);
            s.resetKeys(resetFor);
          }}
        />
      ) : null}
    </div>
  );
}
