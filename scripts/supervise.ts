/**
 * `npm start`'s process supervision, on its own so that it can be tested without a dashboard build:
 * each child is restarted when it dies, the others keep running, and Ctrl-C stops them all.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

export type TChildSpec = {
  /** In the log lines and the pid file's name ("web server" → web-server.pid). */
  name: string;
  /** A TypeScript entry point, run with tsx, relative to `cwd`. */
  file: string;
  /** Added to the supervisor's `env` for this child. */
  env?: Record<string, string>;
  /** Called once the child died unexpectedly, before its restart. */
  onCrash?(): void;
};

export type TSupervisorOptions = {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where each child's current pid is written on every (re)start, for operators and tests. */
  pidDir: string;
  children: TChildSpec[];
  /** After every child has exited on Ctrl-C (e.g. stop the embedded PostgreSQL). */
  afterStop?(): Promise<void>;
};

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
const STABLE_AFTER_MS = 60_000;

/**
 * Starts the children and supervises them until SIGINT / SIGTERM, on which every child gets SIGTERM (the
 * worker finishes its current step) and this process exits once they all have.
 */
export function superviseChildren(opts: TSupervisorOptions): void {
  mkdirSync(opts.pidDir, { recursive: true });
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  const stopAll = async (): Promise<never> => {
    if (!stopping) {
      stopping = true;
      console.log("\nStopping: the worker finishes its current step first…");
      const live = [...children.values()].filter((c) => c.exitCode === null && c.signalCode === null);
      for (const c of live) c.kill("SIGTERM");
      await Promise.all(live.map((c) => new Promise((r) => c.once("exit", r))));
      await opts.afterStop?.().catch(() => undefined);
    }
    process.exit(0);
  };
  for (const spec of opts.children) restartOnExit(opts, spec, () => stopping, (c) => children.set(spec.name, c));
  process.on("SIGINT", () => void stopAll());
  process.on("SIGTERM", () => void stopAll());
}

/**
 * Runs one child and restarts it when it dies, with a doubling delay (1 s … 30 s, back to 1 s once it had
 * stayed up a minute): a killed worker must not take the dashboard down, nor the other way round.
 */
function restartOnExit(opts: TSupervisorOptions, s: TChildSpec, isStopping: () => boolean, onSpawn: (c: ChildProcess) => void): void {
  let delayMs = FIRST_DELAY_MS;
  let restarts = 0;
  const launch = () => {
    const startedAt = Date.now();
    const child = spawn(process.execPath, ["--import", "tsx", resolve(opts.cwd, s.file)], { cwd: opts.cwd, env: { ...opts.env, ...s.env }, stdio: ["ignore", "inherit", "inherit"] });
    onSpawn(child);
    if (child.pid) writeFileSync(resolve(opts.pidDir, `${s.name.replace(/ /g, "-")}.pid`), `${child.pid}\n`);
    child.on("exit", (code, signal) => {
      // Ctrl-C reaches the children too; give our own SIGINT handler its turn before calling this a crash.
      setTimeout(() => {
        if (isStopping()) return;
        if (Date.now() - startedAt > STABLE_AFTER_MS) delayMs = FIRST_DELAY_MS;
        restarts++;
        s.onCrash?.();
        console.error(`The ${s.name} exited unexpectedly (${signal ?? `code ${code}`}); restarting it in ${delayMs / 1000} s (restart ${restarts}).`);
        setTimeout(() => {
          if (!isStopping()) launch();
        }, delayMs);
        delayMs = Math.min(delayMs * 2, MAX_DELAY_MS);
      }, 500);
    });
  };
  launch();
}
