import { SourceConnectionError } from "./errors";

type TConnectContext = { host: string; port: number; user: string; database: string; sslMode: string; timeoutMs: number };

const TLS_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_SIGNATURE_FAILURE",
  "EPROTO",
]);

/**
 * Names the failed step of a pg connect error in plain words: what a user can act on
 * ("password authentication failed for user …", "connection refused at host:port", …).
 */
export function classifyConnectError(err: unknown, ctx: TConnectContext): SourceConnectionError {
  const e = (err instanceof Error ? err : new Error(String(err))) as Error & { code?: string };
  const code = e.code ?? "";
  const where = `${ctx.host}:${ctx.port}`;
  const msg = e.message;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") return new SourceConnectionError("dns", `The host name "${ctx.host}" could not be resolved (DNS): check the Host (Endpoint).`);
  if (code === "ECONNREFUSED") return new SourceConnectionError("tcp", `Connection refused at ${where}: nothing is listening there, or a firewall rejects it.`);
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return new SourceConnectionError("tcp", `No route to ${where} (${code}).`);
  if (code === "ETIMEDOUT" || /timeout expired|connection timeout/i.test(msg)) return new SourceConnectionError("tcp", `Connecting to ${where} timed out after ${Math.round(ctx.timeoutMs / 1000)} s: check the host, the port and the firewall.`);
  if (/does not support SSL/i.test(msg)) return new SourceConnectionError("tls", `The server at ${where} does not support SSL: turn SSL on in its postgresql.conf (ssl = on) or turn off Connect using SSL.`);
  if (TLS_CODES.has(code) || code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS") || /certificate|altnames|SSL routines/i.test(msg)) {
    return new SourceConnectionError("tls", `TLS failed (${ctx.sslMode}): ${msg}. Check the CA certificate and, for verify-full, that the Host (Endpoint) is a name in the server's certificate.`);
  }
  if (code === "28P01") return new SourceConnectionError("authentication", `${msg} (check the Username and Password).`);
  if (code === "28000") {
    const noTls = /no encryption/i.test(msg) ? " The server's pg_hba.conf may only allow SSL connections: turn on Connect using SSL." : "";
    return new SourceConnectionError("authentication", `The server refused the login: ${msg}.${noTls}`);
  }
  if (code === "3D000") return new SourceConnectionError("database", `${msg}: check the Database name.`);
  if (code === "42501") return new SourceConnectionError("database", `${msg}: run GRANT CONNECT ON DATABASE for this user.`);
  if (code === "53300") return new SourceConnectionError("database", `The server has no free connection slots: ${msg}.`);
  if (/terminated unexpectedly|ECONNRESET/i.test(msg) || code === "ECONNRESET") return new SourceConnectionError("tcp", `The server at ${where} closed the connection during the handshake: ${msg}.`);
  return new SourceConnectionError("authentication", `Could not connect to ${where}: ${msg}`);
}
