import "server-only";
import { headers } from "next/headers";
import { z } from "zod";
import { getDb, type TDb } from "@/db/client";
import type { TRole } from "@/db/schema";
import type { TSessionContext } from "@/lib/auth/accounts";
import { hasRole, ROLE_LABELS } from "@/lib/auth/roles";
import type { TAuditActor } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { CLIENT_ADDRESS_HEADER } from "@/lib/http/client-address";
import type { TActionResult } from "./action-result";
import { getSessionContext } from "./session";

export type { TActionResult };

export type TActionContext = TSessionContext & { db: TDb; actor: TAuditActor };

function toObject(input: unknown): unknown {
  if (!(input instanceof FormData)) return input;
  const out: Record<string, unknown> = {};
  for (const [k, v] of input.entries()) if (typeof v === "string") out[k] = v;
  return out;
}

function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_form";
    out[key] ??= issue.message;
  }
  return out;
}

function failure(err: unknown): TActionResult<never> {
  if (err instanceof AppError) return { ok: false, error: err.message, fieldErrors: err.fieldErrors };
  console.error("server action failed", err instanceof Error ? err.message : err);
  return { ok: false, error: "Something went wrong on the server. Try again; if it persists, check the server log.", fieldErrors: {} };
}

async function clientAddress(): Promise<string | null> {
  const h = await headers();
  // Set by our web server from the connection (never what a client sent); absent under `next dev`.
  return h.get(CLIENT_ADDRESS_HEADER) || null;
}

type TActionDefinition = {
  role: TRole;
  run: (session: TSessionContext | null, raw: unknown, env: { db: TDb; ipAddress: string | null }) => Promise<TActionResult<unknown>>;
};

/** Every authed action's definition, so tests can call the same checks with a given session (see runActionAs). */
const definitions = new WeakMap<object, TActionDefinition>();

/**
 * Every server action goes through this: validate with zod, load user, team and role, check the role,
 * then call the domain. Errors come back as values the form can show next to its fields.
 */
export function authedAction<S extends z.ZodType, R>(
  opts: { schema: S; role: TRole },
  fn: (input: z.infer<S>, ctx: TActionContext) => Promise<R>,
): (input: unknown) => Promise<TActionResult<R>> {
  const run = async (session: TSessionContext | null, raw: unknown, env: { db: TDb; ipAddress: string | null }): Promise<TActionResult<R>> => {
    try {
      if (!session) return { ok: false, error: "Your session has ended. Sign in again.", fieldErrors: {} };
      if (!hasRole(session.role, opts.role)) {
        return { ok: false, error: `Your role (${ROLE_LABELS[session.role]}) cannot do this; it needs ${ROLE_LABELS[opts.role]} or higher.`, fieldErrors: {} };
      }
      const parsed = opts.schema.safeParse(toObject(raw));
      if (!parsed.success) return { ok: false, error: "Check the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
      const actor: TAuditActor = { teamId: session.team.id, userId: session.user.id, email: session.user.email, ipAddress: env.ipAddress };
      return { ok: true, data: await fn(parsed.data, { ...session, db: env.db, actor }) };
    } catch (err) {
      return failure(err);
    }
  };
  const action = async (raw: unknown): Promise<TActionResult<R>> => {
    let session: TSessionContext | null;
    let ipAddress: string | null;
    try {
      session = await getSessionContext();
      ipAddress = await clientAddress();
    } catch (err) {
      return failure(err);
    }
    return run(session, raw, { db: getDb(), ipAddress });
  };
  definitions.set(action, { role: opts.role, run });
  return action;
}

/** The minimum role of an action made with authedAction, or null for anything else (e.g. publicAction). */
export function requiredRoleOf(action: unknown): TRole | null {
  return typeof action === "function" ? (definitions.get(action)?.role ?? null) : null;
}

/**
 * Runs an authed action exactly as a request would (role check, validation, domain call), with the
 * session given instead of read from the request's cookie. For the authorization tests.
 */
export function runActionAs<R>(
  action: (input: unknown) => Promise<TActionResult<R>>,
  session: TSessionContext | null,
  input: unknown,
  env: { db: TDb; ipAddress?: string | null },
): Promise<TActionResult<R>> {
  const def = definitions.get(action);
  if (!def) throw new Error("runActionAs: not an action made with authedAction");
  return def.run(session, input, { db: env.db, ipAddress: env.ipAddress ?? null }) as Promise<TActionResult<R>>;
}

/** For the few actions that run signed out (sign-up): validation and errors as above, no session. */
export function publicAction<S extends z.ZodType, R>(
  schema: S,
  fn: (input: z.infer<S>, ctx: { db: TDb; ipAddress: string | null }) => Promise<R>,
): (input: unknown) => Promise<TActionResult<R>> {
  return async (raw) => {
    try {
      const parsed = schema.safeParse(toObject(raw));
      if (!parsed.success) return { ok: false, error: "Check the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
      return { ok: true, data: await fn(parsed.data, { db: getDb(), ipAddress: await clientAddress() }) };
    } catch (err) {
      return failure(err);
    }
  };
}
