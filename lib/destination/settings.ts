import { eq } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "@/db/client";
import { destinations, type TDestination } from "@/db/schema";
import { SECRET_CONTEXT, seal } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { PEM_MAX_CHARS, ZPemSchema, ZSslModeSchema } from "@/lib/source/connection-input";
import type { TSslMode } from "@/lib/source/connection";
import type { TDestinationConnection } from "./connection";
import { destinationConnectionFromRow } from "./connection";

function formSslMode(ssl: boolean, mode: TSslMode | "", ca: string): TSslMode {
  if (!ssl) return "disable";
  if (mode && mode !== "disable") return mode;
  return ca ? "verify-ca" : "require";
}

/**
 * The form as the server validates it. An empty password keeps the saved one. With SSL on, the mode is
 * libpq's (require, verify-ca, verify-full); a form without one (older clients) means verify-ca with a
 * certificate and require without, as before modes existed.
 */
export const ZDestinationSettingsSchema = z
  .object({
    host: z.string().trim().min(1, "Enter the host name or IP address").max(255, "At most 255 characters"),
    port: z.coerce.number({ message: "Enter a port number" }).int("Enter a whole number").min(1, "Between 1 and 65535").max(65535, "Between 1 and 65535"),
    username: z.string().trim().min(1, "Enter the user name").max(63, "PostgreSQL user names have at most 63 characters"),
    password: z.string().max(1000, "Too long").optional().default(""),
    database: z.string().trim().min(1, "Enter the database name").max(63, "PostgreSQL database names have at most 63 characters"),
    ssl: z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean()),
    sslMode: z.union([z.literal(""), ZSslModeSchema]).optional().default(""),
    // Capped before the pattern runs; the pattern is anchored (unanchored, it was quadratic: 216 KB took 1 s).
    sslCa: z
      .string()
      .max(PEM_MAX_CHARS, `A certificate is at most ${PEM_MAX_CHARS / 1024} KB: paste only the CA certificate(s)`)
      .optional()
      .default("")
      .transform((v) => v.trim())
      .refine((v) => v === "" || ZPemSchema.safeParse(v).success, "Paste a PEM certificate (-----BEGIN CERTIFICATE----- …)"),
  })
  .transform(({ sslMode, ...v }) => ({ ...v, sslMode: formSslMode(v.ssl, sslMode, v.sslCa) }))
  .superRefine((v, ctx) => {
    if (v.sslMode === "verify-ca" && !v.sslCa) ctx.addIssue({ code: "custom", path: ["sslCa"], message: "verify-ca needs the CA certificate: paste it here" });
  });
export type TDestinationSettingsInput = z.infer<typeof ZDestinationSettingsSchema>;

/** What the page shows: never the password. */
export type TDestinationView = {
  host: string;
  port: number;
  username: string;
  database: string;
  sslMode: TSslMode;
  sslCa: string;
  hasPassword: boolean;
  lastCheckedAt: string | null;
  lastCheck: unknown;
};

export async function getTeamDestination(db: TDbOrTx, teamId: string): Promise<TDestination | null> {
  const [row] = await db.select().from(destinations).where(eq(destinations.teamId, teamId)).limit(1);
  return row ?? null;
}

export function destinationView(row: TDestination | null): TDestinationView | null {
  if (!row) return null;
  return { host: row.host, port: row.port, username: row.username, database: row.database, sslMode: row.sslMode, sslCa: row.sslCa ?? "", hasPassword: row.passwordEnc !== "", lastCheckedAt: row.lastCheckedAt?.toISOString() ?? null, lastCheck: row.lastCheck ?? null };
}

const VERIFYING: ReadonlySet<TSslMode> = new Set(["verify-ca", "verify-full"]);

/**
 * What changed that decides where the saved password goes (or who can read it on the way): host, port,
 * user, the SSL mode (any change: it is part of the connection the password was saved for), or the CA
 * while one is verified. Reusing the password then would hand it to a server the editor chose.
 */
export function destinationRetargets(existing: TDestination, input: TDestinationSettingsInput): string[] {
  const out: string[] = [];
  if (existing.host !== input.host) out.push("host");
  if (existing.port !== input.port) out.push("port");
  if (existing.username !== input.username) out.push("username");
  if (existing.sslMode !== input.sslMode) out.push("SSL mode");
  else if (VERIFYING.has(input.sslMode) && (existing.sslCa ?? "") !== input.sslCa) out.push("SSL certificate");
  return out;
}

/**
 * The connection the form describes; the saved password when the field was left empty and the password
 * still goes to the server it was saved for. Null when there is no password to use.
 */
export function connectionFromInput(input: TDestinationSettingsInput, existing: TDestination | null): TDestinationConnection | null {
  const retargets = existing && input.password === "" ? destinationRetargets(existing, input) : [];
  if (retargets.length > 0) {
    throw new AppError("VALIDATION", "Check the highlighted fields.", {
      password: `Enter the password again: the ${retargets.join(", ")} changed, and the saved password is only sent where it was saved for.`,
    });
  }
  const password = input.password !== "" ? input.password : existing ? destinationConnectionFromRow(existing).password : null;
  if (password === null) return null;
  return { host: input.host, port: input.port, user: input.username, password, database: input.database, ssl: input.sslMode !== "disable", sslMode: input.sslMode, sslCa: input.sslCa || null };
}

/** Saves the settings that passed their check; the password is sealed (again) bound to the team's row. */
export async function saveTeamDestination(db: TDbOrTx, teamId: string, input: TDestinationSettingsInput, conn: TDestinationConnection, check: unknown): Promise<void> {
  const values = {
    host: input.host,
    port: input.port,
    username: input.username,
    passwordEnc: seal(conn.password, SECRET_CONTEXT.destinationPassword(teamId)),
    database: input.database,
    ssl: input.sslMode !== "disable",
    sslMode: input.sslMode,
    sslCa: input.sslCa || null,
    lastCheck: check,
    lastCheckedAt: new Date(),
    updatedAt: new Date(),
  };
  await db
    .insert(destinations)
    .values({ teamId, ...values })
    .onConflictDoUpdate({ target: destinations.teamId, set: values });
}
