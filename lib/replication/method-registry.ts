import { runFullTable } from "./full-table";
import { reloadKeyBased, runKeyBased } from "./key-based";
import type { TMethod } from "./method-state";
import type { TTableRun, TTableRunResult } from "./table-run";

/** A method the job runs table by table, through the source and destination contracts. */
export type TTableMethod = {
  kind: "table";
  label: string;
  /** Reads the whole table every run: its row estimate is the report's goal from the start. */
  readsWholeTable: boolean;
  /** `copyAgain`: a reset, or source changes no DDL can bring: the table is copied whole and replaces the old one. */
  run(run: TTableRun, copyAgain: boolean): Promise<TTableRunResult>;
};

/** A method run by an engine registered at startup, for all its tables at once (log-based-registry.ts). */
export type TEngineMethod = { kind: "engine"; label: string; fallback: "full_table" };

/** Every replication method and how the extract job runs it. */
export const METHODS: Record<TMethod, TTableMethod | TEngineMethod> = {
  full_table: { kind: "table", label: "Full Table", readsWholeTable: true, run: (run) => runFullTable(run) },
  key_based: { kind: "table", label: "Key-based Incremental", readsWholeTable: false, run: (run, copyAgain) => (copyAgain ? reloadKeyBased(run) : runKeyBased(run)) },
  // Without an engine in this build, a log-based table is copied with its fallback (and the log says so).
  log_based: { kind: "engine", label: "Log-based Incremental", fallback: "full_table" },
};

/** The table-by-table plan of a method, or null for one an engine runs. */
export function tableMethod(method: TMethod): { name: "full_table" | "key_based"; plan: TTableMethod } | null {
  const plan = METHODS[method];
  if (plan.kind !== "table" || method === "log_based") return null;
  return { name: method, plan };
}
