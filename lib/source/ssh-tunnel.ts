import net from "node:net";
import { Client as SshClient } from "ssh2";
import { SourceConnectionError } from "./errors";
import { fingerprintOf, hostKeyFromBlob } from "./ssh-keys";

export type TSshSettings = { host: string; port: number; user: string; privateKey: string; knownHostKey?: string | null };

export type TSshTunnel = {
  /** Where to connect instead of the database (a loopback port forwarded through SSH). */
  localHost: string;
  localPort: number;
  /** The host key the SSH server presented ("ssh-ed25519 AAAA…"); stored at first connect. */
  hostKey: string;
  /** Set when the SSH server could not open the forwarded connection to the database. */
  lastForwardError(): SourceConnectionError | null;
  close(): Promise<void>;
};

function sshErrorMessage(err: Error & { level?: string; code?: string }, ssh: TSshSettings, timeoutMs: number): string {
  const where = `${ssh.host}:${ssh.port}`;
  if (err.level === "client-authentication") return `SSH authentication failed for user "${ssh.user}" at ${where}: the server did not accept the team's public key (is it in ~${ssh.user}/.ssh/authorized_keys?)`;
  if (err.code === "ECONNREFUSED") return `SSH connection refused at ${where}`;
  if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN") return `SSH host "${ssh.host}" could not be resolved`;
  if (err.code === "ETIMEDOUT" || /timed out/i.test(err.message)) return `SSH connection to ${where} timed out after ${Math.round(timeoutMs / 1000)} s`;
  return `SSH connection to ${where} failed: ${err.message}`;
}

function hostKeyChanged(ssh: TSshSettings, presented: string): SourceConnectionError {
  return new SourceConnectionError(
    "ssh",
    `SSH host key changed: ${ssh.host}:${ssh.port} presented ${fingerprintOf(presented)}, but ${fingerprintOf(ssh.knownHostKey ?? "")} was remembered. If the server was reinstalled on purpose, an Admin must accept the new key in Settings; otherwise someone may be intercepting the connection.`,
    presented,
  );
}

/** A loopback server whose every connection is forwarded through the SSH session to the database. */
function forwardingServer(client: SshClient, ssh: TSshSettings, dst: { host: string; port: number }, onForwardError: (e: SourceConnectionError) => void): net.Server {
  return net.createServer((socket) => {
    client.forwardOut(socket.remoteAddress ?? "127.0.0.1", socket.remotePort ?? 0, dst.host, dst.port, (err, stream) => {
      if (err) {
        onForwardError(new SourceConnectionError("ssh", `The SSH server ${ssh.host} could not reach the database at ${dst.host}:${dst.port}: ${err.message}`));
        socket.destroy();
        return;
      }
      socket.pipe(stream).pipe(socket);
      socket.on("error", () => stream.destroy());
      stream.on("error", () => socket.destroy());
      socket.on("close", () => stream.destroy());
      stream.on("close", () => socket.destroy());
    });
  });
}

/**
 * Opens an SSH session with the team's key and forwards a loopback port to the database (ssh2 local
 * forwarding). The server's host key must match the remembered one; a different key fails loudly.
 */
export function openSshTunnel(ssh: TSshSettings, dst: { host: string; port: number }, timeoutMs = 10_000): Promise<TSshTunnel> {
  return new Promise((resolve, reject) => {
    const client = new SshClient();
    let presented: string | null = null;
    let mismatch = false;
    let forwardError: SourceConnectionError | null = null;
    let settled = false;
    const fail = (e: SourceConnectionError) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(e);
    };

    client.on("error", (err: Error & { level?: string; code?: string }) => {
      if (mismatch && presented) {
        fail(hostKeyChanged(ssh, presented));
        return;
      }
      fail(new SourceConnectionError("ssh", sshErrorMessage(err, ssh, timeoutMs)));
    });

    client.on("ready", () => {
      const server = forwardingServer(client, ssh, dst, (e) => (forwardError = e));
      server.on("error", (e) => fail(new SourceConnectionError("ssh", `Could not open the local end of the SSH tunnel: ${e.message}`)));
      server.listen(0, "127.0.0.1", () => {
        const addr = server.address() as net.AddressInfo;
        settled = true;
        resolve({
          localHost: "127.0.0.1",
          localPort: addr.port,
          hostKey: presented!,
          lastForwardError: () => forwardError,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              client.end();
            }),
        });
      });
    });

    try {
      client.connect({
        host: ssh.host,
        port: ssh.port,
        username: ssh.user,
        privateKey: ssh.privateKey,
        readyTimeout: timeoutMs,
        keepaliveInterval: 15_000,
        hostVerifier: (key: Buffer) => {
          presented = hostKeyFromBlob(key);
          if (ssh.knownHostKey && ssh.knownHostKey.trim() !== presented) {
            mismatch = true;
            return false;
          }
          return true;
        },
      });
    } catch (e) {
      fail(new SourceConnectionError("ssh", `SSH settings are not usable: ${(e as Error).message}`));
    }
  });
}
