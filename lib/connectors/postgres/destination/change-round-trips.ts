import type pg from "pg";
import type { TChangeGroup, TLoadResult } from "../../types";
import { writtenRowsSql } from "./change-staging";
import type { TPgSession } from "./session";

/**
 * A statement waiting for the next round trip. `setup`: the next COPY needs it done (the transaction,
 * its staging table). `counts`: it returns the target's written-rows counters (`stats`: before the
 * first merge, kind null, or after a merge of that kind), a merge's own counts (`returned`) or, for a
 * plain insert, its row count (`rowCount`).
 */
export type TQueued = { sql: string; log: boolean; setup?: boolean; counts?: { kind: TChangeGroup["kind"] | null; from: "stats" | "returned" | "rowCount" } };

type TCounters = { inserted: number; updated: number };

function countersOf(res: pg.QueryResult | undefined): TCounters {
  const row = res?.rows[0] as { inserted: string | number; updated: string | number } | undefined;
  return { inserted: Number(row?.inserted ?? 0), updated: Number(row?.updated ?? 0) };
}

/**
 * Statements whose replies nothing waits for, sent together in one query, and what their results count
 * towards the call's result.
 */
export class RoundTrips {
  queued: TQueued[];
  readonly total: TLoadResult = { rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0, rowsReceived: 0 };
  /**
   * The target's written-rows counters as of the last merge. Not zero at the start: they also hold
   * earlier transactions' counts the session has not reported to the statistics yet.
   */
  private written: TCounters | null = null;

  constructor(
    private readonly s: TPgSession,
    private readonly target: string,
    opening: TQueued[],
  ) {
    this.queued = opening;
  }

  /** Whether the counters as of the last merge are unknown and no queued statement reads them. */
  needsCounters(): boolean {
    return this.s.caps.countByStats && !this.written && !this.queued.some((q) => q.counts);
  }

  /** Reads the target's written-rows counters: after a merge of `kind`, or before one (null). */
  countersQuery(kind: TChangeGroup["kind"] | null = null): TQueued {
    return { sql: writtenRowsSql(this.target), log: false, counts: { kind, from: "stats" } };
  }

  /** A fresh read of the counters (inserts moved them; an aborted one counts too). */
  rereadCounters(): TQueued[] {
    this.written = null;
    return this.s.caps.countByStats ? [this.countersQuery()] : [];
  }

  /** Takes the queued statements out. */
  take(): TQueued[] {
    const batch = this.queued;
    this.queued = [];
    return batch;
  }

  log(batch: TQueued[]): void {
    for (const q of batch) if (q.log) this.s.opts.onSql?.(q.sql);
  }

  /** Runs statements as one query and adds up what their results count. */
  async run(batch: TQueued[]): Promise<void> {
    if (batch.length === 0) return;
    this.log(batch);
    const res = (await this.s.client.query(batch.map((q) => q.sql).join(";\n"))) as pg.QueryResult | pg.QueryResult[];
    const results = Array.isArray(res) ? res : [res];
    batch.forEach((q, i) => this.count(q, results[i]));
  }

  private count(q: TQueued, res: pg.QueryResult | undefined): void {
    if (!q.counts) return;
    if (q.counts.from === "rowCount") {
      this.total.rowsInserted += res?.rowCount ?? 0;
      return;
    }
    const now = countersOf(res);
    const before = q.counts.from === "stats" ? this.written : { inserted: 0, updated: 0 };
    if (q.counts.from === "stats") this.written = now;
    // Soft deletes are updates (or inserts of keys never seen): counted as deletes, by the caller's rows.
    if (q.counts.kind === "upsert" && before) {
      this.total.rowsInserted += now.inserted - before.inserted;
      this.total.rowsUpdated += now.updated - before.updated;
    }
  }
}
