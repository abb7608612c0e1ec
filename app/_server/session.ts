import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { loadSessionContext, type TSessionContext } from "@/lib/auth/accounts";
import { authOptions } from "./auth-options";

/** The signed-in user, team and role, or null; checked against the database (removed members lose access). */
export const getSessionContext = cache(async (): Promise<TSessionContext | null> => {
  const session = await getServerSession(authOptions);
  if (!session?.uid || session.sv === undefined) return null;
  return loadSessionContext(getDb(), session.uid, session.sv);
});

export async function requireSessionContext(): Promise<TSessionContext> {
  const ctx = await getSessionContext();
  if (!ctx) redirect("/sign-in");
  return ctx;
}
