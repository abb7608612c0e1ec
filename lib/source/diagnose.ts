import { lookup } from "node:dns/promises";
import net from "node:net";
import type pg from "pg";
import { openSourceClient, type TSourceConnection } from "./connection";
import { CONNECTION_STEPS, SourceConnectionError, STEP_LABELS, type TConnectionStep } from "./errors";

export type TStepStatus = "pass" | "fail" | "skip" | "not_run";
export type TStepResult = { step: TConnectionStep; label: string; status: TStepStatus; detail: string };

export type TDiagnosis = {
  ok: boolean;
  steps: TStepResult[];
  /** The first failing step in plain words. */
  failure: { step: TConnectionStep; message: string } | null;
  /** The SSH server's host key seen now (stored at first connect). */
  sshHostKey: string | null;
  /** Set when the SSH host key differs from the remembered one: what the server presents now. */
  presentedHostKey: string | null;
};

export type TDiagnosedSession = { client: pg.Client; close(): Promise<void> };

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SourceConnectionError("tcp", `Connecting to ${host}:${port} timed out after ${Math.round(timeoutMs / 1000)} s: check the host, the port and the firewall.`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once("error", (e: Error & { code?: string }) => {
      clearTimeout(timer);
      socket.destroy();
      const msg = e.code === "ECONNREFUSED" ? `Connection refused at ${host}:${port}: nothing is listening there, or a firewall rejects it.` : `Could not connect to ${host}:${port}: ${e.message}`;
      reject(new SourceConnectionError("tcp", msg));
    });
  });
}

async function resolveHost(host: string): Promise<string> {
  if (net.isIP(host)) return host;
  try {
    const { address } = await lookup(host);
    return address;
  } catch {
    throw new SourceConnectionError("dns", `The host name "${host}" could not be resolved (DNS): check the host name.`);
  }
}

/**
 * Checks a source connection step by step — name resolution, TCP, SSH (when on), TLS (when on),
 * authentication, database — and names the first failing step. On success the open client is
 * handed back so the prerequisite report can run on it (the caller closes it).
 */
export async function diagnoseConnection(conn: TSourceConnection): Promise<{ diagnosis: TDiagnosis; session: TDiagnosedSession | null }> {
  const timeoutMs = conn.connectTimeoutMs ?? 10_000;
  const first = conn.ssh ? { host: conn.ssh.host, port: conn.ssh.port } : { host: conn.host, port: conn.port };
  const applies = (s: TConnectionStep) => (s === "ssh" ? Boolean(conn.ssh) : s === "tls" ? conn.sslMode !== "disable" : true);
  const passDetail: Record<TConnectionStep, string> = {
    dns: `${first.host} resolved`,
    tcp: `${first.host}:${first.port} accepts connections`,
    ssh: conn.ssh ? `Tunnel through ${conn.ssh.user}@${conn.ssh.host}:${conn.ssh.port} to ${conn.host}:${conn.port}` : "",
    tls: `Encrypted (${conn.sslMode})`,
    authentication: `Signed in as ${conn.user}`,
    database: `Opened database ${conn.database}`,
  };
  let failure: SourceConnectionError | null = null;
  let session: (TDiagnosedSession & { sshHostKey: string | null }) | null = null;
  try {
    const address = await resolveHost(first.host);
    await tcpProbe(address, first.port, timeoutMs);
    session = await openSourceClient(conn, conn.database, { applicationName: "pgreplicate-check" });
  } catch (e) {
    if (!(e instanceof SourceConnectionError)) throw e;
    failure = e;
  }
  const failedAt = failure ? CONNECTION_STEPS.indexOf(failure.step) : -1;
  const steps: TStepResult[] = CONNECTION_STEPS.map((step, i) => {
    const label = STEP_LABELS[step];
    if (!applies(step)) return { step, label, status: "skip", detail: step === "ssh" ? "SSH Tunnel is off" : "Connect using SSL is off" };
    if (!failure) return { step, label, status: "pass", detail: passDetail[step] };
    if (i < failedAt) return { step, label, status: "pass", detail: passDetail[step] };
    if (i === failedAt) return { step, label, status: "fail", detail: failure.message };
    return { step, label, status: "not_run", detail: "Not checked: an earlier step failed" };
  });
  return {
    diagnosis: {
      ok: !failure,
      steps,
      failure: failure ? { step: failure.step, message: failure.message } : null,
      sshHostKey: session?.sshHostKey ?? null,
      presentedHostKey: failure?.presentedHostKey ?? null,
    },
    session: session ? { client: session.client, close: session.close } : null,
  };
}
