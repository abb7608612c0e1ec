"use client";
import type { TActionResult } from "@/lib/server/action-result";

/** Server actions return values, not throws; React Query wants a throw on failure. */
export async function unwrap<T>(p: Promise<TActionResult<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new ActionError(r.error, r.fieldErrors);
  return r.data;
}

export class ActionError extends Error {
  constructor(
    message: string,
    public readonly fieldErrors: Record<string, string>,
  ) {
    super(message);
  }
}

export const KIND_LABELS = { table: "table", view: "view", materialized_view: "materialized view", partitioned_table: "partitioned" } as const;

export function formatCount(n: number | null): string {
  return n === null ? "—" : n.toLocaleString("en-US");
}
