import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../support/ports";
import { waitFor } from "../support/wait";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `npm start`'s supervision (scripts/supervise.ts, which scripts/start.ts runs) over stand-in children:
 * the real dashboard and worker are killed under `npm start` in e2e/90-self-healing.spec.ts.
 */
describe("npm start's supervisor", () => {
  const pidDir = mkdtempSync(join(tmpdir(), "pgr-supervise-"));
  afterAll(() => rmSync(pidDir, { recursive: true, force: true }));

  it("restarts a killed worker or web server while the other keeps running; Ctrl-C stops everything cleanly", async () => {
    const port = await freePort();
    // Its own process group, so that Ctrl-C can reach it and its children at once, as a terminal's does.
    const sup = spawn(process.execPath, ["--import", "tsx", "test/integration/self-healing-supervisor-driver.ts"], {
      env: { ...process.env, PID_DIR: pidDir, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    sup.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    sup.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => sup.once("exit", (code) => r(code)));
    const pidOf = (name: string) => {
      try {
        return Number(readFileSync(join(pidDir, `${name}.pid`), "utf8").trim());
      } catch {
        return 0;
      }
    };
    const answer = () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.status, () => 0);
    try {
      await waitFor(async () => (await answer()) === 200, 60_000, "the web child to answer");
      await waitFor(async () => out.includes(`worker ${pidOf("worker")} up`), 60_000, "the worker child");
      const web = pidOf("web-server");
      const worker = pidOf("worker");

      // The web server answers throughout the worker's death and restart.
      const answers: number[] = [];
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          answers.push(await answer());
          await new Promise((r) => setTimeout(r, 50)); // pacing only: it stops on `watching`, not on time
        }
      })();
      process.kill(worker, "SIGKILL");
      await waitFor(async () => pidOf("worker") !== worker && out.includes(`worker ${pidOf("worker")} up`), 60_000, "a new worker");
      watching = false;
      await watcher;
      expect(out).toContain("The worker exited unexpectedly (SIGKILL); restarting it in 1 s (restart 1).");
      expect(out).toContain("worker crash noticed");
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.filter((a) => a !== 200)).toEqual([]);
      expect(pidOf("web-server")).toBe(web);

      // And the other way round: the web server dies, the worker keeps its process.
      const newWorker = pidOf("worker");
      process.kill(web, "SIGKILL");
      await waitFor(async () => pidOf("web-server") !== web && (await answer()) === 200, 60_000, "a new web server");
      expect(out).toContain("The web server exited unexpectedly (SIGKILL); restarting it in 1 s (restart 1).");
      expect(alive(newWorker)).toBe(true);
      expect(pidOf("worker")).toBe(newWorker);

      // Ctrl-C: the whole process group gets SIGINT; every child ends cleanly, none is restarted.
      const newWeb = pidOf("web-server");
      process.kill(-sup.pid!, "SIGINT");
      expect(await exited).toBe(0);
      expect(out).toContain(`worker ${newWorker} stopped cleanly`);
      expect(out).toContain(`web ${newWeb} stopped cleanly`);
      expect(out).toContain("after stop");
      expect(out).not.toMatch(/exited unexpectedly \((SIGINT|SIGTERM|code 0)\)/);
      expect([alive(newWorker), alive(newWeb)]).toEqual([false, false]);
    } finally {
      if (sup.exitCode === null && sup.signalCode === null) process.kill(-sup.pid!, "SIGKILL");
    }
  });
});
