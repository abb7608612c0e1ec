"use client";
import type { Dispatch, SetStateAction } from "react";
import { Button } from "@/components/ui/field";

type TProps = { page: number; total: number; pageSize: number; setPage: Dispatch<SetStateAction<number>> };

/** Which rows are shown, and Previous / Next (pages count from 0 here, from 1 on screen). */
export function TablePager({ page, total, pageSize, setPage }: TProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : page * pageSize + 1;
  const to = Math.min(total, (page + 1) * pageSize);
  return (
    <div className="flex items-center justify-between text-sm text-slate-600">
      <span>
        Showing {from}–{to} of {total.toLocaleString("en-US")}
      </span>
      <div className="flex items-center gap-2">
        <Button type="button" variant="secondary" disabled={page === 0} onClick={() => setPage((p) => Math.max(0, p - 1))}>
          Previous
        </Button>
        <span>
          Page {page + 1} of {pages}
        </span>
        <Button type="button" variant="secondary" disabled={page + 1 >= pages} onClick={() => setPage((p) => p + 1)}>
          Next
        </Button>
      </div>
    </div>
  );
}
