import { AppError } from "@/lib/errors";

/** The steps of reaching a source, in order; the first failing one is reported in plain words. */
export const CONNECTION_STEPS = ["dns", "tcp", "ssh", "tls", "authentication", "database"] as const;
export type TConnectionStep = (typeof CONNECTION_STEPS)[number];

export const STEP_LABELS: Record<TConnectionStep, string> = {
  dns: "Name resolution",
  tcp: "TCP connection",
  ssh: "SSH tunnel",
  tls: "TLS (SSL)",
  authentication: "Authentication",
  database: "Database",
};

/** A connection failure that knows which step failed; the message is fit for the user. */
export class SourceConnectionError extends AppError {
  constructor(
    public readonly step: TConnectionStep,
    message: string,
    /** For "SSH host key changed": the key the server presented now (never secret). */
    public readonly presentedHostKey: string | null = null,
  ) {
    super("CONNECTION", message);
    this.name = "SourceConnectionError";
  }
}
