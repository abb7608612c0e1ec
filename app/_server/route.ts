import "server-only";
import { getDb, type TDb } from "@/db/client";
import type { TRole } from "@/db/schema";
import type { TSessionContext } from "@/lib/auth/accounts";
import { hasRole, ROLE_LABELS } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { getSessionContext } from "@/lib/server/session";

export type TRouteContext<P> = TSessionContext & { db: TDb; params: P };

type TRouteDefinition = {
  role: TRole;
  run: (session: TSessionContext | null, req: Request, params: unknown, db: TDb) => Promise<Response>;
};

const definitions = new WeakMap<object, TRouteDefinition>();

const STATUS: Partial<Record<AppError["code"], number>> = { VALIDATION: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, RATE_LIMITED: 429 };

function errorResponse(status: number, message: string): Response {
  return Response.json({ error: message }, { status, headers: { "Cache-Control": "no-store" } });
}

/**
 * Every route handler that reads team data (log downloads, live streams) goes through this: session
 * → role check → handler. Signed out is 401, a too-low role 403, another team's object 404 (the
 * handler throws AppError NOT_FOUND when its team-filtered query finds nothing).
 */
export function authedRoute<P = Record<string, string>>(
  opts: { role: TRole },
  fn: (req: Request, ctx: TRouteContext<P>) => Promise<Response>,
): (req: Request, segment: { params: Promise<P> }) => Promise<Response> {
  const run = async (session: TSessionContext | null, req: Request, params: unknown, db: TDb): Promise<Response> => {
    try {
      if (!session) return errorResponse(401, "Your session has ended. Sign in again.");
      if (!hasRole(session.role, opts.role)) {
        return errorResponse(403, `Your role (${ROLE_LABELS[session.role]}) cannot do this; it needs ${ROLE_LABELS[opts.role]} or higher.`);
      }
      return await fn(req, { ...session, db, params: params as P });
    } catch (err) {
      if (err instanceof AppError) return errorResponse(STATUS[err.code] ?? 500, err.message);
      console.error("route handler failed", err instanceof Error ? err.message : err);
      return errorResponse(500, "Something went wrong on the server.");
    }
  };
  const handler = async (req: Request, segment: { params: Promise<P> }): Promise<Response> => {
    let session: TSessionContext | null;
    try {
      session = await getSessionContext();
    } catch {
      return errorResponse(500, "Something went wrong on the server.");
    }
    return run(session, req, await segment.params, getDb());
  };
  definitions.set(handler, { role: opts.role, run });
  return handler;
}

/** The minimum role of a handler made with authedRoute, or null for anything else. */
export function requiredRoleOfRoute(handler: unknown): TRole | null {
  return typeof handler === "function" ? (definitions.get(handler)?.role ?? null) : null;
}

/** Runs a route handler as a request would, with the session given (authorization tests). */
export function runRouteAs<P>(
  handler: (req: Request, segment: { params: Promise<P> }) => Promise<Response>,
  session: TSessionContext | null,
  req: Request,
  params: P,
  env: { db: TDb },
): Promise<Response> {
  const def = definitions.get(handler);
  if (!def) throw new Error("runRouteAs: not a handler made with authedRoute");
  return def.run(session, req, params, env.db);
}
