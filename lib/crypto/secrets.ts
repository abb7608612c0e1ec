import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "v1";

function deriveKey(appSecret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", appSecret, "pgreplicate", purpose, 32));
}

/** AES-256-GCM with a key derived from APP_SECRET; output is "v1.<iv>.<tag>.<ciphertext>" in base64url. */
export function encryptSecret(plaintext: string, appSecret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(appSecret, "secrets"), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
}

export function decryptSecret(sealed: string, appSecret: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("Encrypted value has an unknown format");
  const decipher = createDecipheriv("aes-256-gcm", deriveKey(appSecret, "secrets"), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

/** The signing secret for sessions, kept apart from the encryption key. */
export function deriveSessionSecret(appSecret: string): string {
  return deriveKey(appSecret, "sessions").toString("base64url");
}
