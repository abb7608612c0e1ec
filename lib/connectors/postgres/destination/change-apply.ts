import { quoteIdent } from "@/lib/naming/identifiers";
import type { TApplyChangesOptions, TChangeGroup, TLoadResult, TLoadTableSpec, TWriteLock } from "../../types";
import { CHANGE_SDC_COLUMNS, encodeGroup, insertSql, MERGE_JOIN_SETTINGS, mergeSql, stagingFor } from "./change-staging";
import { RoundTrips, type TQueued } from "./change-round-trips";
import { copyChunks } from "./copy-in";
import { qualified } from "./ddl";
import { sqlState, type TPgSession } from "./session";
import { stateUpsertSql } from "./state-store";

export const lockArgs = (lock: TWriteLock): string => `${lock[0] | 0}, ${lock[1] | 0}`;

/** The savepoint around the plain inserts of a transaction's insert-only groups. */
const INSERT_SAVEPOINT = "_sdc_insert";

/** An insert-only group staged and waiting: its plain insert, and the merge it falls back to. */
type TPendingInsert = { insert: string; merge: TQueued[] };

/**
 * One call of applyChangeGroups: one transaction. Statements whose replies nothing waits for travel
 * together in one query: the opening (BEGIN, join settings, staging tables) before the first COPY, and
 * the merges, the state and COMMIT after the last one. A batch of upserts and deletes is four round
 * trips, not eight; each round trip is time the destination waits for a worker that is also reading
 * the stream.
 */
export class ChangeApplication {
  private readonly target: string;
  private readonly keyed: boolean;
  private readonly ordered: boolean;
  private readonly receivedAt = new Date().toISOString();
  private readonly trips: RoundTrips;
  /** What the merges wait for (mergeAfter), until the first write goes. */
  private gate: Promise<unknown> | undefined;
  /** Staging tables holding rows whose merge is still queued. */
  private readonly unmerged = new Set<string>();
  private readonly usedInTransaction = new Set<string>();
  /** Insert-only groups staged and waiting: they go with the next merges (see send). */
  private inserts: TPendingInsert[] = [];

  constructor(
    private readonly s: TPgSession,
    private readonly spec: TLoadTableSpec,
    private readonly opts: TApplyChangesOptions,
  ) {
    this.target = qualified(s.opts.schema, spec.table);
    this.keyed = spec.primaryKey.length > 0;
    this.ordered = this.keyed && !opts.uniqueKeys;
    this.gate = opts.mergeAfter;
    const opening: TQueued[] = [{ sql: "BEGIN", log: false, setup: true }, ...(this.keyed && s.caps.useMerge ? MERGE_JOIN_SETTINGS.map((sql) => ({ sql, log: false, setup: true })) : [])];
    this.trips = new RoundTrips(s, this.target, opening);
  }

  async run(groups: TChangeGroup[]): Promise<TLoadResult> {
    this.checkColumns(groups);
    const { commitAfter } = this.opts;
    try {
      // The staging tables the session lacks are all created with the first COPY: a later COPY then
      // needs no setup sent first, which would make it wait for the merges queued before it.
      const stagings = this.keyed ? groups.map((g) => stagingFor(this.spec, g, this.ordered)) : [];
      for (const staging of stagings) {
        if (this.s.stagingCreated.has(staging.name)) continue;
        this.trips.queued.push({ sql: staging.createSql, log: true, setup: true });
        this.s.stagingCreated.add(staging.name);
      }
      for (const [gi, g] of groups.entries()) await this.writeGroup(g, stagings[gi]);
      if (commitAfter) {
        // The merges go now; the previous write's end is awaited in the database, then its outcome here.
        this.trips.queued.push({ sql: `SELECT pg_advisory_xact_lock_shared(${lockArgs(commitAfter.lock)})`, log: false });
        await this.send();
        await commitAfter.done;
      }
      this.trips.queued.push({ sql: stateUpsertSql(this.s.opts.integrationId, this.spec.tableKey, this.opts.state), log: false }, { sql: "COMMIT", log: false });
      await this.send();
      return this.trips.total;
    } catch (err) {
      // A rolled-back transaction takes the staging tables it created with it.
      this.s.stagingCreated.clear();
      await this.s.client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  }

  private checkColumns(groups: TChangeGroup[]): void {
    const known = new Set(this.spec.columns.map((c) => c.name));
    for (const g of groups) {
      const unknown = g.sourceCols.filter((c) => !known.has(c));
      if (unknown.length > 0) throw new Error(`Change for ${this.spec.table} has columns the destination spec lacks: ${unknown.join(", ")}`);
    }
  }

  /** One group: keyless, appended straight into the target; keyed, copied into staging and its merge queued. */
  private async writeGroup(g: TChangeGroup, staging: { name: string; columns: string[] } | undefined): Promise<void> {
    const { tableVersion } = this.opts;
    const { receivedAt, ordered, trips } = this;
    const chunks = encodeGroup(g, { receivedAt, tableVersion, full: !this.keyed, ordered });
    trips.total.rowsReceived += g.rows.length;
    if (g.kind === "delete") trips.total.rowsDeleted += g.rows.length;
    if (!staging) {
      // Keyless: every change is a new row, appended straight into the target in order.
      trips.total.rowsInserted += await copyChunks(this.s, this.target, [...g.sourceCols, ...CHANGE_SDC_COLUMNS], chunks, await this.setupForCopy());
      return;
    }
    // Refilling a staging table (ordered groups of one shape): its queued merge runs first.
    if (this.unmerged.has(staging.name)) await this.send();
    if (this.usedInTransaction.has(staging.name)) trips.queued.push({ sql: `DELETE FROM ${quoteIdent(staging.name)}`, log: true, setup: true });
    this.usedInTransaction.add(staging.name);
    // Queued merges may wait for the next round trip, unless the COPY needs setup sent first.
    await copyChunks(this.s, quoteIdent(staging.name), staging.columns, chunks, await this.setupForCopy(), g.binary === true);
    this.unmerged.add(staging.name);
    const { countByStats, useMerge } = this.s.caps;
    const merge = mergeSql(this.target, staging.name, this.spec, g, { receivedAt, tableVersion, ordered, merge: useMerge, returning: !countByStats });
    const mergeQueued: TQueued[] = countByStats ? [{ sql: merge, log: true }, trips.countersQuery(g.kind)] : [{ sql: merge, log: true, counts: { kind: g.kind, from: "returned" } }];
    if (g.insertOnly && !ordered && !this.s.insertsConflict.has(this.spec.tableKey)) {
      this.inserts.push({ insert: insertSql(this.target, staging.name, g, { receivedAt, tableVersion }), merge: mergeQueued });
      return;
    }
    if (trips.needsCounters()) trips.queued.push(trips.countersQuery());
    trips.queued.push(...mergeQueued);
  }

  /** Sends what is queued, with the waiting inserts first; the merges wait for the gate. */
  private async send(): Promise<void> {
    const batch = this.trips.take();
    // Inserts wait here too: setup statements are never queued while one waits (its COPY sent them).
    const writes = this.inserts.length > 0 || batch.some((q) => !q.setup);
    if (this.gate && writes) {
      await this.gate;
      this.gate = undefined;
    }
    const tried = this.inserts;
    this.inserts = [];
    if (tried.length === 0) await this.trips.run(batch);
    else await this.sendWithInserts(tried, batch);
    this.unmerged.clear();
  }

  /**
   * The inserts go first, in a savepoint, in the same round trip as the merges. A unique violation (a
   * key at the destination after all) rolls them back; their rows are merged instead, and the table's
   * inserts are merged from then on.
   */
  private async sendWithInserts(tried: TPendingInsert[], batch: TQueued[]): Promise<void> {
    const attempt: TQueued[] = [
      { sql: `SAVEPOINT ${INSERT_SAVEPOINT}`, log: false },
      ...tried.map((t): TQueued => ({ sql: t.insert, log: true, counts: { kind: "upsert", from: "rowCount" } })),
      { sql: `RELEASE SAVEPOINT ${INSERT_SAVEPOINT}`, log: false },
      ...this.trips.rereadCounters(),
    ];
    try {
      await this.trips.run([...attempt, ...batch]);
    } catch (err) {
      // The savepoint is still there only if the inserts failed; a merge's error goes to the caller.
      if (sqlState(err) !== "23505" || !(await this.rollbackToSavepoint())) throw err;
      this.s.insertsConflict.add(this.spec.tableKey);
      await this.trips.run([...this.trips.rereadCounters(), ...tried.flatMap((t) => t.merge), ...batch]);
    }
  }

  private async rollbackToSavepoint(): Promise<boolean> {
    try {
      await this.s.client.query(`ROLLBACK TO SAVEPOINT ${INSERT_SAVEPOINT}`);
      this.s.opts.onSql?.(`ROLLBACK TO SAVEPOINT ${INSERT_SAVEPOINT}`);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * What the next COPY needs (the transaction, its staging table) goes first: in the COPY's own query
   * when only such statements are queued (returned, to prefix it), else sent now with the rest.
   */
  private async setupForCopy(): Promise<string[]> {
    const queued = this.trips.queued;
    if (!queued.some((q) => q.setup)) return [];
    if (queued.some((q) => !q.setup)) {
      await this.send();
      return [];
    }
    const setup = this.trips.take();
    this.trips.log(setup);
    return setup.map((q) => q.sql);
  }
}
