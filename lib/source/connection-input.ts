import { z } from "zod";

const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
// One or more certificates (a CA bundle). Anchored, and no two parts can match the same text: linear time.
const PEM_RE = /^(?:-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;

/** A CA bundle of a few certificates fits easily; anything larger is not a certificate. */
export const PEM_MAX_CHARS = 65_536;
const PEM_TOO_LONG = `A certificate is at most ${PEM_MAX_CHARS / 1024} KB: paste only the CA certificate(s)`;

const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean());

/** A host name or IP address as users paste it: no scheme, no port, no path. */
export const ZHostSchema = z
  .string()
  .trim()
  .min(1, "Enter the host name or IP address")
  .max(253, "A host name is at most 253 characters")
  .superRefine((v, ctx) => {
    if (!v) return;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) ctx.addIssue({ code: "custom", message: "Enter the host without a scheme (no postgres:// or https://)" });
    else if (/[/\s@]/.test(v)) ctx.addIssue({ code: "custom", message: "Enter only the host name or IP address (no path, user or spaces)" });
    else if (/^[^:]+:\d+$/.test(v)) ctx.addIssue({ code: "custom", message: "Enter the port in the Port field, not after the host" });
    else if (!HOST_RE.test(v) && !/^[0-9a-f:]+$/i.test(v.replace(/^\[|\]$/g, ""))) ctx.addIssue({ code: "custom", message: "This is not a valid host name or IP address" });
  })
  .transform((v) => v.replace(/^\[|\]$/g, ""));

export const ZPortSchema = z.coerce
  .number({ message: "Enter a port number" })
  .int("Enter a whole number")
  .min(1, "The port must be between 1 and 65535")
  .max(65535, "The port must be between 1 and 65535");

/** PostgreSQL role and database names: non-empty, at most 63 bytes, no NUL. */
const ZPgNameSchema = (what: string) =>
  z
    .string()
    .min(1, `Enter the ${what}`)
    .max(255, `A PostgreSQL ${what} is at most 63 bytes`)
    .refine((v) => v.trim().length > 0, `Enter the ${what}`)
    .refine((v) => Buffer.byteLength(v, "utf8") <= 63, `A PostgreSQL ${what} is at most 63 bytes`)
    .refine((v) => !v.includes("\u0000"), `The ${what} cannot contain a NUL character`);

export const ZPemSchema = z
  .string()
  .max(PEM_MAX_CHARS, PEM_TOO_LONG)
  .trim()
  .refine((v) => PEM_RE.test(v), "Paste a PEM certificate: from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----");

export const ZSslModeSchema = z.enum(["disable", "require", "verify-ca", "verify-full"]);

/** Connection settings shared by create and edit (the form's fields, validated on the server). */
export const connectionFieldsShape = {
  host: ZHostSchema,
  port: ZPortSchema.default(5432),
  username: ZPgNameSchema("username"),
  database: ZPgNameSchema("database name"),
  sshEnabled: checkbox.default(false),
  sshHost: z.string().max(253, "A host name is at most 253 characters").trim().optional().default(""),
  sshPort: z.union([z.literal(""), ZPortSchema]).optional().default(22),
  sshUser: z.string().max(32, "A Linux user name is at most 32 characters").trim().optional().default(""),
  sslEnabled: checkbox.default(false),
  sslMode: z.union([z.literal(""), ZSslModeSchema]).optional().default(""),
  sslCa: z.string().max(PEM_MAX_CHARS, PEM_TOO_LONG).optional().default(""),
};

type TRawConnection = z.output<z.ZodObject<typeof connectionFieldsShape>>;

/** Cross-field rules: SSH fields when SSH is on, a PEM CA (required for verify-ca) when SSL is on. */
export function refineConnection(v: TRawConnection, ctx: z.RefinementCtx): void {
  if (v.sshEnabled) {
    const host = ZHostSchema.safeParse(v.sshHost);
    if (!host.success) ctx.addIssue({ code: "custom", path: ["sshHost"], message: host.error.issues[0]!.message });
    if (v.sshPort === "") ctx.addIssue({ code: "custom", path: ["sshPort"], message: "Enter the SSH port (22 by default)" });
    if (!v.sshUser) ctx.addIssue({ code: "custom", path: ["sshUser"], message: "Enter the SSH user" });
    else if (!/^[A-Za-z0-9._][A-Za-z0-9._-]{0,31}$/.test(v.sshUser)) ctx.addIssue({ code: "custom", path: ["sshUser"], message: "Enter a Linux user name (letters, digits, . _ -)" });
  }
  if (v.sslEnabled) {
    const mode = v.sslMode || "require";
    if (v.sslCa.trim()) {
      const pem = ZPemSchema.safeParse(v.sslCa);
      if (!pem.success) ctx.addIssue({ code: "custom", path: ["sslCa"], message: pem.error.issues[0]!.message });
    } else if (mode === "verify-ca") ctx.addIssue({ code: "custom", path: ["sslCa"], message: "verify-ca needs the CA certificate: paste it here" });
  }
}

export type TSourceConnectionFields = {
  host: string;
  port: number;
  username: string;
  database: string;
  sshEnabled: boolean;
  sshHost: string | null;
  sshPort: number;
  sshUser: string | null;
  sslMode: z.infer<typeof ZSslModeSchema>;
  sslCa: string | null;
};

export function normalizeConnection(v: TRawConnection): TSourceConnectionFields {
  return {
    host: v.host,
    port: v.port,
    username: v.username,
    database: v.database,
    sshEnabled: v.sshEnabled,
    sshHost: v.sshEnabled ? v.sshHost.replace(/^\[|\]$/g, "") : null,
    sshPort: v.sshEnabled && v.sshPort !== "" ? v.sshPort : 22,
    sshUser: v.sshEnabled ? v.sshUser : null,
    sslMode: v.sslEnabled ? v.sslMode || "require" : "disable",
    sslCa: v.sslEnabled && v.sslCa.trim() ? v.sslCa.trim() + "\n" : null,
  };
}

export const ZIntegrationNameSchema = z
  .string()
  .trim()
  .min(1, "Enter a name for the integration")
  .max(100, "Use at most 100 characters")
  .refine((v) => /[A-Za-z0-9]/.test(v.normalize("NFKD")), "The name needs at least one letter or digit: it becomes the destination schema");

export { checkbox as ZCheckboxSchema };
