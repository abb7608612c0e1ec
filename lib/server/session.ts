import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import type { TSessionContext } from "@/lib/auth/accounts";
import { loadLiveSession } from "@/lib/auth/sessions";
import { authOptions, sessionIdleMinutes } from "./auth-options";

/**
 * The signed-in user, team and role, or null; checked against the database on every request: the
 * session's row (sign-out, idle timeout) and the user's session version (removed members lose access).
 */
export const getSessionContext = cache(async (): Promise<TSessionContext | null> => {
  const session = await getServerSession(authOptions);
  if (!session) return null;
  return loadLiveSession(getDb(), session, sessionIdleMinutes());
});

export async function requireSessionContext(): Promise<TSessionContext> {
  const ctx = await getSessionContext();
  if (!ctx) redirect("/sign-in");
  return ctx;
}
