import { decryptSecret, encryptSecret } from "./secrets";

function appSecret(): string {
  const secret = process.env.APP_SECRET;
  if (!secret) throw new Error("APP_SECRET is not set in this process");
  return secret;
}

/**
 * Encrypt with the process's APP_SECRET (set by the start script or the environment). Pass the row's
 * context (see SECRET_CONTEXT) wherever the reader can pass it too: the value is then bound to that row.
 */
export const seal = (plaintext: string, context?: string): string => encryptSecret(plaintext, appSecret(), context);
export const unseal = (sealed: string, context?: string): string => decryptSecret(sealed, appSecret(), context);

/** The associated data of each sealed column: table, column and the row's key. */
export const SECRET_CONTEXT = {
  destinationPassword: (teamId: string) => `destinations.password_enc:${teamId}`,
  teamSshPrivateKey: (teamId: string) => `team_ssh_keys.private_key_enc:${teamId}`,
  // The team too: an integration moved into another team's row must not bring a readable password.
  integrationPassword: (row: { teamId: string; id: string }) => `integrations.password_enc:${row.teamId}:${row.id}`,
};
