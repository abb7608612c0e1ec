import type { TDbOrTx } from "@/db/client";
import type { TIntegration } from "@/db/schema";
import { connectionFromIntegration, type TSourceConnection } from "./connection";
import { loadTeamSshPrivateKey } from "./ssh-keys";

/**
 * The connection of a saved integration, with the team's SSH private key when the tunnel is on:
 * what discovery and jobs pass to openSourceClient.
 */
export async function loadSourceConnection(db: TDbOrTx, integration: TIntegration): Promise<TSourceConnection> {
  const key = integration.sshEnabled ? await loadTeamSshPrivateKey(db, integration.teamId) : null;
  return connectionFromIntegration(integration, key);
}
