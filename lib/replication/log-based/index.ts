import { registerLogBasedRunner } from "../log-based-registry";
import { runLogBasedTables } from "./run";

export { runLogBasedTables } from "./run";
export { setLogBasedFaultHook, type TLogBasedFaultPoint } from "./faults";

/** Makes the extract job hand its log-based tables to this engine (called by the worker at start). */
export function enableLogBasedReplication(): void {
  registerLogBasedRunner(runLogBasedTables);
}
