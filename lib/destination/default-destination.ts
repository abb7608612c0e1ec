import type { TDbOrTx } from "@/db/client";
import { destinations } from "@/db/schema";
import { SECRET_CONTEXT, seal } from "@/lib/crypto";

/** Configures the team's destination from DEFAULT_DESTINATION_URL (the embedded default's warehouse). */
export async function configureDefaultDestination(tx: TDbOrTx, teamId: string, url: string | undefined): Promise<void> {
  if (!url) return;
  const u = new URL(url);
  await tx
    .insert(destinations)
    .values({
      teamId,
      host: u.hostname,
      port: Number(u.port || 5432),
      username: decodeURIComponent(u.username),
      passwordEnc: seal(decodeURIComponent(u.password), SECRET_CONTEXT.destinationPassword(teamId)),
      database: decodeURIComponent(u.pathname.replace(/^\//, "")),
      ssl: false,
    })
    .onConflictDoNothing();
}
