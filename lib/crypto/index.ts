import { decryptSecret, encryptSecret } from "./secrets";

function appSecret(): string {
  const secret = process.env.APP_SECRET;
  if (!secret) throw new Error("APP_SECRET is not set in this process");
  return secret;
}

/** Encrypt with the process's APP_SECRET (set by the start script or the environment). */
export const seal = (plaintext: string): string => encryptSecret(plaintext, appSecret());
export const unseal = (sealed: string): string => decryptSecret(sealed, appSecret());
