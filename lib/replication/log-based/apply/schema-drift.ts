import type pg from "pg";
import type { TDestinationLoader } from "@/lib/connectors/postgres/destination";
import type { TJobLogger } from "@/lib/jobs/log";
import { quoteIdent } from "@/lib/naming/identifiers";
import { readSourceColumns } from "@/lib/connectors/postgres/source/columns";
import type { TRelationInfo, TRowChange } from "../decode/events";
import { noteTypeChange, type TLogTable } from "../prepare/table-context";

/**
 * Schema changes seen in the stream: a column's type that differs from the job's start (wal2json sends
 * each column's type; pgoutput describes a relation after every schema change), a column no longer
 * sent (dropped), a column new at the source (added to the destination before the batch that carries it).
 */
export class SchemaDrift {
  /** Column lists (one per relation description) already checked for dropped columns. */
  private readonly checkedColumns = new WeakSet<readonly string[]>();
  private readonly typeNames = new Map<string, string>();

  constructor(private readonly opts: { source: pg.Client; loader: TDestinationLoader; log: TJobLogger }) {}

  /** A column's type that differs from the job's start is a schema change. */
  checkTypes(t: TLogTable, types: Map<string, string>): void {
    for (const [col, type] of types) {
      const before = t.expectedTypes.get(col);
      if (before === undefined || before === type) continue;
      noteTypeChange(t, this.opts.log, col, before, type);
    }
  }

  /** An insert (once per relation description) that lacks a column of the table: the column was dropped. */
  checkInsert(t: TLogTable, change: TRowChange): void {
    if (this.checkedColumns.has(change.columns)) return;
    this.checkedColumns.add(change.columns);
    for (const c of t.spec.columns) {
      if (change.columns.includes(c.name) || t.noted.has(`dropped:${c.name}`)) continue;
      t.noted.add(`dropped:${c.name}`);
      this.opts.log.info("tap", `Column ${quoteIdent(c.name)} of ${quoteIdent(t.table.schema)}.${quoteIdent(t.table.name)} is no longer sent by the source (dropped?): new rows leave it NULL; the destination column is kept.`);
    }
  }

  /** pgoutput describes a relation before its first change and after every schema change. */
  async onRelation(t: TLogTable, rel: TRelationInfo): Promise<void> {
    const types = new Map<string, string>();
    for (const c of rel.columns) types.set(c.name, await this.typeName(c.typeOid, c.typeMod));
    this.checkTypes(t, types);
  }

  private async typeName(oid: number, mod: number): Promise<string> {
    const key = `${oid}:${mod}`;
    const known = this.typeNames.get(key);
    if (known) return known;
    const res = await this.opts.source.query<{ t: string }>(`SELECT format_type($1::oid, $2::int) AS t`, [oid, mod]);
    const name = res.rows[0]?.t ?? "text";
    this.typeNames.set(key, name);
    return name;
  }

  /**
   * Columns added at the source since the job started: added to the destination table first. `settle`
   * waits for the writes in flight: DDL runs outside any batch's transaction (the write in flight shares
   * the connection, and a statement queued between its own would run inside it and roll back with it).
   */
  async addNewColumns(t: TLogTable, settle: () => Promise<void>): Promise<void> {
    const known = new Set(t.spec.columns.map((c) => c.name));
    const fresh = t.buffer.columns().filter((c) => !known.has(c));
    if (fresh.length === 0) return;
    const live = await readSourceColumns(this.opts.source, t.table.schema, t.table.name);
    for (const name of fresh) {
      const col = live.find((c) => c.name === name);
      t.spec.columns.push({ name, type: col?.destinationType ?? "text" });
      if (col) {
        t.sourceTypes.set(name, col.sourceType);
        t.expectedTypes.set(name, col.sourceType);
      }
      this.opts.log.info("target", `Column ${quoteIdent(name)} was added at the source to ${quoteIdent(t.table.schema)}.${quoteIdent(t.table.name)}: adding it to the destination table as ${col?.destinationType ?? "text"}`);
    }
    t.buffer.setKnownColumns(t.spec.columns.map((c) => c.name));
    await settle();
    await this.opts.loader.ensureTable(t.spec);
  }
}
