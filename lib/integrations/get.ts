import { and, eq } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { integrations, type TIntegration } from "@/db/schema";
import { AppError } from "@/lib/errors";

/** One integration of the team; anything else (another team's, a guessed id) is "not found". */
export async function getIntegration(db: TDbOrTx, teamId: string, id: string): Promise<TIntegration> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("NOT_FOUND", "No such integration");
  const [row] = await db.select().from(integrations).where(and(eq(integrations.teamId, teamId), eq(integrations.id, id))).limit(1);
  if (!row) throw new AppError("NOT_FOUND", "No such integration");
  return row;
}
