import type { TRawRelation } from "../decode/raw-tuples";
import type { TArenaLayout } from "./entry";
import type { ColumnRegistry } from "./registry";

/** How a relation's tuples go into the arena (one per relation description); binary rows delete by `keyLayout`. */
export type TArenaPlan = { width: number; emit: Int32Array; keyPos: Int32Array; layout: TArenaLayout; keyLayout: TArenaLayout; binary: boolean };

/** The arena plans of one table, one per relation description, made once. */
export class ArenaPlans {
  private plans = new WeakMap<readonly string[], TArenaPlan | null>();
  private lastColumns: readonly string[] | null = null;
  private lastPlan: TArenaPlan | null = null;
  private layoutCount = 0;
  /** Deletes by key alone: the key columns. */
  private readonly keyLayout: TArenaLayout;
  /**
   * A binary stream: the columns whose destination column reads their binary values, by the type they
   * are read as. A relation whose replicated columns all still have these types keeps its rows as COPY
   * BINARY rows.
   */
  private binaryTypes: ReadonlyMap<string, number> | null = null;

  constructor(private readonly reg: ColumnRegistry) {
    const pk = reg.primaryKey;
    this.keyLayout = { id: this.layoutCount++, sourceCols: [...pk], at: pk.map((_, i) => i), types: null };
  }

  /** Forgets the plans: rows are kept as the stream now sends them (`binaryTypes`: binary). */
  restart(binaryTypes: ReadonlyMap<string, number> | null): void {
    this.binaryTypes = binaryTypes;
    this.plans = new WeakMap();
    this.lastColumns = null;
    this.lastPlan = null;
  }

  /** How a relation's tuples go into the arena; null when they cannot (keyless table, key not among its columns). */
  planFor(columns: readonly string[], rel: TRawRelation): TArenaPlan | null {
    // Consecutive changes mostly share their relation's column list: no map lookup for them.
    if (columns === this.lastColumns) return this.lastPlan;
    let plan = this.plans.get(columns);
    if (plan === undefined) plan = this.makePlan(columns, rel);
    this.lastColumns = columns;
    this.lastPlan = plan;
    return plan;
  }

  private makePlan(columns: readonly string[], rel: TRawRelation): TArenaPlan | null {
    let plan: TArenaPlan | null = null;
    const { primaryKey } = this.reg;
    if (this.reg.pkCount > 0) {
      const map = this.reg.mapping(columns);
      const reg = (i: number) => (map === null ? i : map[i]!);
      const keyPos = Int32Array.from(primaryKey, (k) => columns.indexOf(k));
      if (keyPos.every((i) => i >= 0 && reg(i) >= 0)) {
        const emit = Int32Array.from(columns.keys()).filter((i) => reg(i) >= 0);
        // Binary rows go into staging columns of the destination's types: only while those read the source's values.
        const types = this.binaryTypes;
        const binary = types !== null && [...emit].every((i) => types.get(columns[i]!) === rel.typeOids[i]);
        const layout: TArenaLayout = { id: this.layoutCount++, sourceCols: Array.from(emit, (i) => columns[i]!), at: Array.from(emit, reg), types: binary ? Int32Array.from(emit, (i) => rel.typeOids[i]!) : null };
        const keyLayout: TArenaLayout = binary ? { id: this.layoutCount++, sourceCols: [...primaryKey], at: primaryKey.map((_, i) => i), types: Int32Array.from(keyPos, (i) => rel.typeOids[i]!) } : this.keyLayout;
        plan = { width: columns.length, emit, keyPos, layout, keyLayout, binary };
      }
    }
    this.plans.set(columns, plan);
    return plan;
  }
}
