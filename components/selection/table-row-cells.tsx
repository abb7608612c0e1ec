import type { TCatalogListRow } from "@/lib/selection/catalog-query";
import { METHOD_LABELS } from "@/lib/selection/rules";
import { formatCount, KIND_LABELS } from "./api";
import { Badge } from "./badge";

/** The row's cells after its checkbox and name: kind, row estimate, method and key, status badges. */
export function TableRowCells({ row, tracked }: { row: TCatalogListRow; tracked: boolean }) {
  return (
    <>
      <span className="text-slate-600" title={row.kind === "partitioned_table" ? "Its partitions are replicated with it, into one destination table" : undefined}>
        {KIND_LABELS[row.kind]}
        {row.kind === "partitioned_table" ? <span className="block text-xs text-slate-500">partitions included</span> : null}
      </span>
      <span className="text-right tabular-nums text-slate-600">{formatCount(row.rowEstimate)}</span>
      <span className="text-slate-700">
        {tracked && row.state ? (
          <>
            {METHOD_LABELS[row.state.method]}
            {row.state.replicationKey.length ? <span className="block text-xs text-slate-500">key: {row.state.replicationKey.join(", ")}</span> : null}
          </>
        ) : (
          <span className="text-slate-400">—</span>
        )}
      </span>
      <span className="flex flex-wrap gap-1">
        {!row.accessible ? <Badge tone="red">not accessible</Badge> : tracked ? <Badge tone="green">Tracked</Badge> : <Badge tone="slate">Not tracked</Badge>}
        {row.hasPendingChange ? <Badge tone="amber">pending</Badge> : null}
        {row.resetPending ? <Badge tone="amber">reset pending</Badge> : row.resetRequestedAt ? <Badge tone="indigo">reset next job</Badge> : null}
      </span>
    </>
  );
}
