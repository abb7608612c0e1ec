import type pg from "pg";
import { parseLsn } from "@/lib/replication/log-based/lsn";
import { destinationPosition } from "./connections";
import type { TFirstRead } from "./first-read";
import type { TCandidate } from "./ranges";
import { recheckCandidates } from "./recheck";
import { hashWholeTable, sameWhole } from "./whole-table";
import { FIRST_KEYS_MAX, newVerifyStats, type TTableVerification, type TVerifyOptions } from "./types";
import { DEFAULT_LEAF_ROWS } from "./first-read";

/** A table's verdict with the confirmed differing keys (for Repair). */
export type TTableOutcome = { first: TFirstRead; result: TTableVerification; confirmed: TCandidate[] };

function keyRecord(names: string[], values: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? ""]));
}

/** Why a Full Table table may differ without anything being wrong: it is caught up by its next job only. */
const FULL_TABLE_NOTE = "Full Table copies the whole table at each job: rows changed at the source since the last job differ until the next one";

/** A Log-based destination still behind the source position of the first read: differences may be in flight. */
async function lagNote(opts: TVerifyOptions, dst: pg.Client, first: TFirstRead): Promise<string | undefined> {
  if (first.target.method === "full_table") return FULL_TABLE_NOTE;
  if (first.target.method !== "log_based" || !first.sourceLsn) return undefined;
  const now = await destinationPosition(dst, opts.integrationId, first.target.tableKey);
  if (now && parseLsn(now) >= parseLsn(first.sourceLsn)) return undefined;
  return `the destination's position (${now ?? "none"}) is behind the source's at the first read (${first.sourceLsn}): some differences may be changes not yet replicated`;
}

/**
 * The verdict of one table: differences of the first pass are re-read (after the caller's catch-up) and
 * only those that persist are reported.
 */
export async function secondRead(opts: TVerifyOptions, src: pg.Client, dst: pg.Client, first: TFirstRead): Promise<TTableOutcome> {
  const { target, plan } = first;
  const base = { tableKey: target.tableKey, sourceRows: first.sourceRows, destinationRows: first.destinationRows, differing: 0, firstKeys: [] };
  if (first.error) return { first, confirmed: [], result: { ...base, status: "error", compared: "none", error: first.error } };
  if (plan.mode === "skipped") return { first, confirmed: [], result: { ...base, status: "skipped", compared: "none", note: plan.note } };
  if (plan.mode === "error") return { first, confirmed: [], result: { ...base, status: "error", compared: "none", error: plan.error } };
  if (first.whole) {
    let differs = !sameWhole(first.whole.src, first.whole.dst);
    let counts = { sourceRows: first.sourceRows, destinationRows: first.destinationRows };
    if (differs) {
      const d = await hashWholeTable(dst, plan.dstShape);
      const s = await hashWholeTable(src, plan.srcShape);
      differs = !sameWhole(s, d);
      counts = { sourceRows: s.n, destinationRows: d.n };
    }
    const differing = differs ? Math.max(1, Math.abs(counts.sourceRows - counts.destinationRows)) : 0;
    const note = [plan.note, differs ? await lagNote(opts, dst, first) : undefined].filter(Boolean).join("; ") || undefined;
    return { first, confirmed: [], result: { ...base, ...counts, status: differs ? "differs" : "identical", compared: "whole_table", differing, note } };
  }
  const found = first.found!;
  const confirmed =
    found.items.length === 0
      ? []
      : await recheckCandidates({ src, dst, srcShape: plan.srcShape, dstShape: plan.dstShape, candidates: found.items, batch: opts.leafRows ?? DEFAULT_LEAF_ROWS, stats: opts.stats ?? newVerifyStats() });
  const differing = confirmed.length + found.overflow;
  const names = plan.srcShape.key.map((k) => k.name);
  const notes = [found.overflow > 0 ? `${found.overflow} more differing rows were counted but not re-checked (over the kept-keys cap)` : undefined, differing > 0 ? await lagNote(opts, dst, first) : undefined];
  const note = notes.filter(Boolean).join("; ") || undefined;
  const firstKeys = confirmed.slice(0, FIRST_KEYS_MAX).map((c) => ({ kind: c.kind, key: keyRecord(names, c.key) }));
  return { first, confirmed, result: { ...base, status: differing > 0 ? "differs" : "identical", compared: "ranges", differing, firstKeys, note } };
}
