import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/** v1: no associated data (still read; written only where no row context is given). v2: bound to a row. */
const V1 = "v1";
const V2 = "v2";
/** The full 128-bit GCM tag; a shorter one is refused (GCM verifies truncated tags unless told the length). */
const TAG_BYTES = 16;

function deriveKey(appSecret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", appSecret, "pgreplicate", purpose, 32));
}

/**
 * AES-256-GCM with a key derived from APP_SECRET; output is "<version>.<iv>.<tag>.<ciphertext>" in
 * base64url. `context` names the row and column the value belongs to (e.g. "destination:<team id>"): it
 * is the associated data, so a ciphertext copied into another row does not decrypt there.
 */
export function encryptSecret(plaintext: string, appSecret: string, context?: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(appSecret, "secrets"), iv, { authTagLength: TAG_BYTES });
  if (context !== undefined) cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [context !== undefined ? V2 : V1, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
}

/**
 * Decrypts either version. A v2 value needs the context it was sealed with; a v1 value (sealed before
 * contexts existed) is read as it is and rewritten as v2 on the row's next save.
 */
export function decryptSecret(sealed: string, appSecret: string, context?: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if ((version !== V1 && version !== V2) || !iv || !tag || body === undefined) throw new Error("Encrypted value has an unknown format");
  const tagBytes = Buffer.from(tag, "base64url");
  if (tagBytes.length !== TAG_BYTES) throw new Error("Encrypted value has a truncated authentication tag");
  if (version === V2 && context === undefined) throw new Error("Encrypted value is bound to a row: decrypt it with its context");
  const decipher = createDecipheriv("aes-256-gcm", deriveKey(appSecret, "secrets"), Buffer.from(iv, "base64url"), { authTagLength: TAG_BYTES });
  if (version === V2) decipher.setAAD(Buffer.from(context ?? "", "utf8"));
  decipher.setAuthTag(tagBytes);
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

/** The signing secret for sessions, kept apart from the encryption key. */
export function deriveSessionSecret(appSecret: string): string {
  return deriveKey(appSecret, "sessions").toString("base64url");
}
