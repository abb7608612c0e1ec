/**
 * Named points in the log-based engine where a crash test stops the worker (a child process that the
 * test kills with SIGKILL while it waits here). Nothing is registered in production: every call is a
 * resolved no-op.
 */
export type TLogBasedFaultPoint = "copy-in-progress" | "changes-received" | "changes-committed";

let hook: ((point: TLogBasedFaultPoint) => Promise<void>) | null = null;

export function setLogBasedFaultHook(fn: ((point: TLogBasedFaultPoint) => Promise<void>) | null): void {
  hook = fn;
}

export function reachFaultPoint(point: TLogBasedFaultPoint): Promise<void> {
  return hook ? hook(point) : Promise.resolve();
}
