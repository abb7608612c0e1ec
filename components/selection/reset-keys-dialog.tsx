"use client";
import { Button } from "@/components/ui/field";
import type { TCatalogListRow } from "@/lib/selection/catalog-query";
import { Dialog } from "./dialog";

type TProps = { row: TCatalogListRow; onKeep: () => void; onReset: () => void };

/** Reset Keys asks first: the table reloads in full after the next finalize. */
export function ResetKeysDialog({ row, onKeep, onReset }: TProps) {
  return (
    <Dialog title={`Reset keys of ${row.schema}.${row.name}?`} onClose={onKeep}>
      <p className="text-sm text-slate-700">
        The next job after you finalize drops this table&apos;s replication bookmark and reloads the destination table in full. Rows deleted at the source disappear from the destination.
      </p>
      <div className="flex justify-end gap-2">
        <Button type="button" variant="secondary" onClick={onKeep}>
          Keep Keys
        </Button>
        <Button type="button" variant="danger" onClick={onReset}>
          Reset Keys
        </Button>
      </div>
    </Dialog>
  );
}
