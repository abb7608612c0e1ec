import { z } from "zod";

const ZEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  APP_SECRET: z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -base64 32`)").optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  // The address the dashboard listens on: loopback unless opened on purpose (0.0.0.0, a private IP),
  // so that a fresh install is not reachable from the network before its Owner exists.
  HOST: z.string().regex(/^[0-9A-Za-z.:-]{1,253}$/, "must be an address to listen on, e.g. 127.0.0.1 or 0.0.0.0").default("127.0.0.1"),
  // Minutes without any request after which a session ends (sign in again).
  SESSION_IDLE_MINUTES: z.coerce.number().int("must be a whole number of minutes, e.g. 30").min(1).max(7 * 24 * 60).default(30),
  DATA_DIR: z.string().min(1).default(".data"),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  NEXTAUTH_URL: z.string().url("must be the dashboard's public URL, e.g. http://localhost:3000").optional(),
  // A destination configured for the first team when it is created (the embedded default's warehouse).
  DEFAULT_DESTINATION_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  // Reverse proxies in front of the dashboard that append to X-Forwarded-For (nginx, a load balancer):
  // the audit log then records the address the farthest of them saw, not the proxy's.
  TRUSTED_PROXY_HOPS: z.coerce.number().int("must be a whole number of proxies, e.g. 1").min(0).max(10).default(0),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
  // A replication slot keeping more WAL than this on a source is a warning (job log, prerequisite report).
  RETAINED_WAL_WARN_MB: z.coerce.number().positive("must be a number of megabytes above 0, e.g. 1024").default(1024),
  // Invitation e-mails (optional): both set, or neither (then invitation links are only shown to copy).
  SMTP_URL: z.string().regex(/^smtps?:\/\/[^/\s]+/, "must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.com:587").optional(),
  SMTP_FROM: z.string().regex(/^[^\n]*[^@\s<>]+@[^@\s<>]+[^\n]*$/, "must be a sender address, e.g. Replication <noreply@example.com>").optional(),
}).refine((e) => !e.SMTP_URL === !e.SMTP_FROM, { path: ["SMTP_FROM"], message: "set SMTP_URL and SMTP_FROM together (or neither)" });

export type TEnv = z.infer<typeof ZEnvSchema>;

export class EnvError extends Error {}

/** Parses the environment; the error names the variable and why, in one line. */
export function parseEnv(source: Record<string, string | undefined> = process.env): TEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ""));
  const result = ZEnvSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = issue?.path.join(".") ?? "environment";
    throw new EnvError(`Invalid environment variable ${name}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}
