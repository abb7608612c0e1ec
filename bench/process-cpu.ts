/**
 * CPU time of the processes taking part in a benchmark step, read from /proc (Linux, local server only):
 * polls every process's utime + stime and keeps the last reading of each, so a backend that exits still
 * counts. Which process does what is told by its command line (PostgreSQL's process titles name the
 * database and role: "postgres: walsender …", "logical replication apply worker …").
 */
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

function readCpu(pid: string): { cpuS: number; cmd: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
    return { cpuS: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND, cmd };
  } catch {
    return null; // exited between listing and reading
  }
}

/** The whole machine's busy CPU seconds so far (all cores; /proc/stat), exact where sampling is not. */
function machineBusySeconds(): number {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return (cpu.reduce((a, b) => a + b, 0) - idle) / TICKS_PER_SECOND;
}

/**
 * Starts sampling; `label` names a process by its command line and pid (null: not counted). stop() sums
 * CPU seconds per label (sampled every 100 ms: a process's last moments before it exits may be missed)
 * and adds `machine`, the busy CPU seconds of all cores over the whole interval.
 */
export function sampleProcessCpu(label: (cmd: string, pid: number) => string | null): { stop(): Record<string, number> } {
  if (process.platform !== "linux") return { stop: () => ({}) };
  const machineStart = machineBusySeconds();
  const before = new Map<string, number>();
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const r = readCpu(pid);
    if (r) before.set(pid, r.cpuS);
  }
  const last = new Map<string, { cpuS: number; label: string }>();
  const poll = () => {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      const r = readCpu(pid);
      const l = r && label(r.cmd, Number(pid));
      if (r && l) last.set(pid, { cpuS: r.cpuS - (before.get(pid) ?? 0), label: l });
    }
  };
  const timer = setInterval(poll, 100);
  return {
    stop() {
      clearInterval(timer);
      poll();
      const out: Record<string, number> = {};
      for (const { cpuS, label: l } of last.values()) out[l] = (out[l] ?? 0) + cpuS;
      out.machine = machineBusySeconds() - machineStart;
      return out;
    },
  };
}

/** "worker 0.61 s · destination 0.90 s" in the given order. */
export function formatCpu(cpu: Record<string, number>, order: string[]): string {
  return order.map((k) => `${k} ${(cpu[k] ?? 0).toFixed(2)} s`).join(" · ");
}
