import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
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

/** Makes a fresh ed25519 key pair in OpenSSH formats. */
export function generateSshKeyPair(comment: string): { publicKey: string; privateKey: string } {
  const pair = utils.generateKeyPairSync("ed25519", { comment });
  return { publicKey: pair.public.trim(), privateKey: pair.private };
}

/**
 * The team's public key, made (and its private half sealed) on first need. Making it is audited in the
 * same transaction, as `actor` (the product itself when no user asked).
 */
export async function ensureTeamSshKey(db: TDbOrTx, teamId: string, actor: TAuditActor = { teamId, userId: null, email: null }): Promise<{ publicKey: string }> {
  const [existing] = await db.select({ publicKey: teamSshKeys.publicKey }).from(teamSshKeys).where(eq(teamSshKeys.teamId, teamId)).limit(1);
  if (existing) return existing;
  const pair = generateSshKeyPair(`pgreplicate-${teamId.slice(0, 8)}`);
  await db.transaction(async (tx) => {
    const made = await tx
      .insert(teamSshKeys)
      .values({ teamId, publicKey: pair.publicKey, privateKeyEnc: seal(pair.privateKey, SECRET_CONTEXT.teamSshPrivateKey(teamId)) })
      .onConflictDoNothing()
      .returning({ publicKey: teamSshKeys.publicKey });
    // A concurrent first need made it already (and audited it).
    if (made[0]) await recordAudit(tx, { ...actor, teamId }, { action: "ssh_key.created", objectType: "team", objectId: teamId, details: { fingerprint: fingerprintOf(made[0].publicKey) } });
  });
  const [row] = await db.select({ publicKey: teamSshKeys.publicKey }).from(teamSshKeys).where(eq(teamSshKeys.teamId, teamId)).limit(1);
  return row!;
}

/** The team's private key, decrypted in memory for a tunnel; null when the team has none yet. */
export async function loadTeamSshPrivateKey(db: TDbOrTx, teamId: string): Promise<string | null> {
  const [row] = await db.select({ privateKeyEnc: teamSshKeys.privateKeyEnc }).from(teamSshKeys).where(eq(teamSshKeys.teamId, teamId)).limit(1);
  return row ? unseal(row.privateKeyEnc, SECRET_CONTEXT.teamSshPrivateKey(teamId)) : null;
}
