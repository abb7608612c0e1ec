import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, chmodSync } from "node:fs";
import net from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports";

export type TTestSshd = {
  host: string;
  port: number;
  user: string;
  /** The server's host key line ("ssh-ed25519 AAAA…"). */
  hostKey: string;
  /** Replaces the host key and restarts (a reinstalled or impostor server). */
  rotateHostKey(): Promise<void>;
  stop(): Promise<void>;
};

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tryOnce = () => {
      const s = net.connect({ host: "127.0.0.1", port });
      s.once("connect", () => {
        s.destroy();
        resolve();
      });
      s.once("error", () => {
        s.destroy();
        if (Date.now() > until) reject(new Error(`sshd did not listen on ${port}`));
        else setTimeout(tryOnce, 50);
      });
    };
    tryOnce();
  });
}

/**
 * Debian's /usr/sbin/sshd on a loopback port with its own config and host key. Only public-key login
 * of the current user with the given authorized key, and TCP forwarding only to `permitOpen`.
 */
export async function startSshd(opts: { authorizedKey: string; permitOpen: string }): Promise<TTestSshd> {
  const dir = mkdtempSync(join(tmpdir(), "pgr-sshd-"));
  chmodSync(dir, 0o700);
  const port = await freePort();
  const user = userInfo().username;
  const hostKeyPath = join(dir, "host_ed25519");
  const makeHostKey = () => {
    rmSync(hostKeyPath, { force: true });
    rmSync(`${hostKeyPath}.pub`, { force: true });
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "test-host", "-f", hostKeyPath]);
  };
  makeHostKey();
  writeFileSync(join(dir, "authorized_keys"), opts.authorizedKey.trim() + "\n", { mode: 0o600 });
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKeyPath}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      `PermitRootLogin ${user === "root" ? "prohibit-password" : "no"}`,
      `AllowUsers ${user}`,
      "AllowTcpForwarding local",
      `PermitOpen ${opts.permitOpen}`,
      "StrictModes no",
      "UsePAM no",
      "X11Forwarding no",
      "PrintMotd no",
      "LogLevel ERROR",
      "",
    ].join("\n"),
  );
  // The privilege-separation folder sshd insists on when started as root.
  if (userInfo().uid === 0 && !existsSync("/run/sshd")) mkdirSync("/run/sshd", { mode: 0o755 });

  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      await waitForPort(port, 10_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}: ${stderr}`);
    }
  };
  const stopChild = () =>
    new Promise<void>((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null) return resolve();
      c.once("exit", () => resolve());
      c.kill("SIGTERM");
    });
  await start();
  const readHostKey = () => readFileSync(`${hostKeyPath}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
  const sshd: TTestSshd = {
    host: "127.0.0.1",
    port,
    user,
    hostKey: readHostKey(),
    async rotateHostKey() {
      await stopChild();
      makeHostKey();
      sshd.hostKey = readHostKey();
      await start();
    },
    async stop() {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return sshd;
}
