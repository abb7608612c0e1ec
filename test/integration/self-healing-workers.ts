import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { waitFor } from "../support/wait";

export type TWorkerEvent = { worker: string; event: string; [k: string]: unknown };
export type TWorkerProcess = ReturnType<typeof startWorkerProcess>;

/** The job's last log line and error after a crash, in the words. */
export const CRASH = /stopped responding.*next job resumes from the last saved position/;

/**
 * A real worker process (test/integration/schedule-worker-process.ts: the queue consumer, the sweep and
 * the schedule loop) with the production heartbeat (1 s), to be killed with SIGKILL.
 */
export function startWorkerProcess(url: string, name: string, env: Record<string, string> = {}) {
  const events: TWorkerEvent[] = [];
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "test/integration/schedule-worker-process.ts"], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: url, WORKER_NAME: name, HEARTBEAT_MS: "1000", HANDLER_MS: "200", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  createInterface({ input: child.stdout! }).on("line", (line) => {
    try {
      events.push(JSON.parse(line) as TWorkerEvent);
    } catch {
      /* not an event line */
    }
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return {
    events,
    ready: () => waitFor(async () => events.some((e) => e.event === "ready"), 60_000, `worker ${name} to start`),
    stop: () => (child.kill("SIGTERM"), exited),
    crash: () => (child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"), exited),
  };
}
