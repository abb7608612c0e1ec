import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import ssh2 from "ssh2";
import type { TDbOrTx } from "@/db/client";
import { teamSshKeys } from "@/db/schema";
import { recordAudit, type TAuditActor } from "@/lib/audit/record";
import { seal, unseal, SECRET_CONTEXT } from "@/lib/crypto";

// ssh2 is CommonJS: Node's ESM loader (the worker runs under tsx) exposes only some named exports, not `utils`.
const { utils } = ssh2;

/** "ssh-ed25519 AAAA…" from the raw host key blob ssh2 hands to its host verifier. */
export function hostKeyFromBlob(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  const type = blob.subarray(4, 4 + len).toString("ascii");
  return `${type} ${blob.toString("base64")}`;
}

/** OpenSSH-style fingerprint ("SHA256:…") of a stored host key line or public key line. */
export function fingerprintOf(keyLine: string): string {
  const b64 = keyLine.trim().split(/\s+/)[1] ?? "";
  const digest = createHash("sha256").update(Buffer.from(b64, "base64")).digest("base64").replace(/=+$/, "");
  return `SHA256:${digest}`;
}

/** An ed25519 public key blob: "ssh-ed25519" and the 32-byte key, each length-prefixed. */
const ED25519_BLOB_BYTES = 4 + "ssh-ed25519".length + 4 + 32;

/** Whether ssh2 can load the private key and it matches a full-length public key. */
function usablePair(pair: { public: string; private: string }): boolean {
  const parsed = utils.parseKey(pair.private);
  if (parsed instanceof Error || Array.isArray(parsed)) return false;
  const blob = parsed.getPublicSSH();
  return blob.length === ED25519_BLOB_BYTES && pair.public.trim().split(/\s+/)[1] === blob.toString("base64");
}

/**
 * Makes a fresh ed25519 key pair in OpenSSH formats. ssh2 (1.17) drops a leading zero byte of the key
 * about once in 250 pairs, writing a key it cannot load itself; such a pair is made again, never stored.
 */
export function generateSshKeyPair(comment: string): { publicKey: string; privateKey: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = utils.generateKeyPairSync("ed25519", { comment });
    if (usablePair(pair)) return { publicKey: pair.public.trim(), privateKey: pair.private };
  }
  throw new Error("Could not make a usable SSH key pair");
}

/** Whether a stored private key loads in the SSH client (a pair made before usablePair may not). */
function storedKeyLoads(teamId: string, privateKeyEnc: string): boolean {
  const parsed = utils.parseKey(unseal(privateKeyEnc, SECRET_CONTEXT.teamSshPrivateKey(teamId)));
  return !(parsed instanceof Error) && !Array.isArray(parsed);
}

/**
 * The team's public key, made (and its private half sealed) on first need; a stored pair the SSH client
 * cannot load (it never worked anywhere) is made again. Either is audited in the same transaction, as
 * `actor` (the product itself when no user asked).
 */
export async function ensureTeamSshKey(db: TDbOrTx, teamId: string, actor: TAuditActor = { teamId, userId: null, email: null }): Promise<{ publicKey: string }> {
  const [existing] = await db.select().from(teamSshKeys).where(eq(teamSshKeys.teamId, teamId)).limit(1);
  if (existing && storedKeyLoads(teamId, existing.privateKeyEnc)) return { publicKey: existing.publicKey };
  const pair = generateSshKeyPair(`pgreplicate-${teamId.slice(0, 8)}`);
  const privateKeyEnc = seal(pair.privateKey, SECRET_CONTEXT.teamSshPrivateKey(teamId));
  await db.transaction(async (tx) => {
    // Guarded by the old ciphertext: when two requests race, one writes and audits, the other finds it done.
    const made = existing
      ? await tx
          .update(teamSshKeys)
          .set({ publicKey: pair.publicKey, privateKeyEnc })
          .where(and(eq(teamSshKeys.teamId, teamId), eq(teamSshKeys.privateKeyEnc, existing.privateKeyEnc)))
          .returning({ publicKey: teamSshKeys.publicKey })
      : await tx.insert(teamSshKeys).values({ teamId, publicKey: pair.publicKey, privateKeyEnc }).onConflictDoNothing().returning({ publicKey: teamSshKeys.publicKey });
    if (!made[0]) return;
    const fingerprint = fingerprintOf(made[0].publicKey);
    const details = existing ? { fingerprint, replacedFingerprint: fingerprintOf(existing.publicKey), reason: "the stored private key could not be loaded" } : { fingerprint };
    await recordAudit(tx, { ...actor, teamId }, { action: existing ? "ssh_key.replaced" : "ssh_key.created", objectType: "team", objectId: teamId, details });
  });
  const [row] = await db.select({ publicKey: teamSshKeys.publicKey }).from(teamSshKeys).where(eq(teamSshKeys.teamId, teamId)).limit(1);
  return row!;
}

/** The team's private key, decrypted in memory for a tunnel; null when the team has none yet. */
export async function loadTeamSshPrivateKey(db: TDbOrTx, teamId: string): Promise<string | null> {
  const [row] = await db.select({ privateKeyEnc: teamSshKeys.privateKeyEnc }).from(teamSshKeys).where(eq(teamSshKeys.teamId, teamId)).limit(1);
  return row ? unseal(row.privateKeyEnc, SECRET_CONTEXT.teamSshPrivateKey(teamId)) : null;
}
