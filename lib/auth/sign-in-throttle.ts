import { eq, sql } from "drizzle-orm";
import type { TDb } from "@/db/client";
import { signInFailures } from "@/db/schema";

/**
 * Sign-in throttling, per e-mail and per client address. Rows of `sign_in_failures` are keyed by a
 * throttle key in its `email` column: the lower-cased e-mail, or `addr:<address>` (never an e-mail:
 * authenticate only counts inputs that contain "@", and an address key has none).
 *
 * Each attempt is reserved before the password is verified, in one statement that also refuses it
 * while the key is locked out: a parallel burst cannot read a low count while bcrypt runs.
 */
export const THROTTLES = {
  /** Guessing one account's password. */
  email: { free: 5 },
  /** Guessing many accounts from one place (password spraying). */
  address: { free: 20 },
} as const;

const WINDOW = sql.raw(`interval '15 minutes'`);

/** Seconds a key stays locked after its latest failure, given its failures in the window. */
export function lockoutSeconds(failures: number, free: number = THROTTLES.email.free): number {
  if (failures < free) return 0;
  return Math.min(300, 2 ** (failures - free + 1) * 5);
}

export const addressKey = (address: string): string => `addr:${address}`;

export type TReservation = { ok: true } | { ok: false; waitSeconds: number };

/** Counts one attempt against `key` unless the key is locked out now; says how long to wait if it is. */
export async function reserveAttempt(db: TDb, key: string, free: number): Promise<TReservation> {
  const lockout = sql`CASE WHEN ${signInFailures.failures} < ${free} THEN 0 ELSE least(300, power(2, ${signInFailures.failures} - ${free} + 1) * 5) END`;
  const reserved = await db
    .insert(signInFailures)
    .values({ email: key, failures: 1 })
    .onConflictDoUpdate({
      target: signInFailures.email,
      set: {
        failures: sql`CASE WHEN ${signInFailures.lastFailureAt} > now() - ${WINDOW} THEN ${signInFailures.failures} + 1 ELSE 1 END`,
        lastFailureAt: sql`now()`,
      },
      // Evaluated on the row's latest version under its lock, so concurrent attempts serialize here.
      setWhere: sql`${signInFailures.lastFailureAt} <= now() - ${WINDOW} OR ${signInFailures.lastFailureAt} + make_interval(secs => ${lockout}) <= now()`,
    })
    .returning({ failures: signInFailures.failures });
  if (reserved.length > 0) return { ok: true };
  const [row] = await db.select().from(signInFailures).where(eq(signInFailures.email, key));
  const waitMs = row ? row.lastFailureAt.getTime() + lockoutSeconds(row.failures, free) * 1000 - Date.now() : 1000;
  return { ok: false, waitSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

/** After a right password: the e-mail starts afresh; the address gets its reserved attempt back. */
export async function settleSuccess(db: TDb, emailKey: string, address: string | null): Promise<void> {
  await db.delete(signInFailures).where(eq(signInFailures.email, emailKey));
  if (address) {
    await db
      .update(signInFailures)
      .set({ failures: sql`greatest(${signInFailures.failures} - 1, 0)` })
      .where(eq(signInFailures.email, addressKey(address)));
  }
}

/** Rows whose window has passed count for nothing: drop them so the table stays small. */
export async function purgeExpiredFailures(db: TDb): Promise<void> {
  await db.delete(signInFailures).where(sql`${signInFailures.lastFailureAt} < now() - ${WINDOW}`);
}
