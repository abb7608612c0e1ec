/**
 * The real worker process (workers/index.ts) with one log-based fault point armed: when the engine
 * reaches it, the child says so on stdout and waits there until the test kills it with SIGKILL.
 * PGR_FAULT_MODE=sync blocks the whole process (the copy cannot go on); async keeps the event loop
 * running (timers, keepalives), which is what would let a library acknowledge on its own.
 */
import { setLogBasedFaultHook, type TLogBasedFaultPoint } from "../../lib/replication/log-based/faults";

const point = process.env.PGR_FAULT_POINT as TLogBasedFaultPoint | undefined;
const mode = process.env.PGR_FAULT_MODE ?? "async";

setLogBasedFaultHook(async (reached) => {
  if (reached !== point) return;
  process.stdout.write(`FAULT ${reached}\n`);
  if (mode === "sync") Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  await new Promise<never>(() => undefined);
});

await import("../../workers/index");
