import type { TDb } from "@/db/client";
import { integrations, memberships, teams, users, type TIntegration, type TNewIntegration, type TRole } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { seal } from "@/lib/crypto";

/** Tests seal secrets with a fixed key, like a deployment with APP_SECRET set. */
process.env.APP_SECRET ??= "test-app-secret-that-is-long-enough-0123456789";

export async function createTeamWithUser(db: TDb, role: TRole = "owner", email = `u${Math.random().toString(36).slice(2)}@example.com`) {
  const [team] = await db.insert(teams).values({ name: "Test team" }).returning();
  const [user] = await db.insert(users).values({ email, passwordHash: await hashPassword("test-password-1") }).returning();
  await db.insert(memberships).values({ teamId: team!.id, userId: user!.id, role });
  return { team: team!, user: user! };
}

/** An integration row pointing at a test database (connection details as the form would save them). */
export async function createIntegration(
  db: TDb,
  teamId: string,
  conn: { host: string; port: number; user: string; password: string; database: string },
  extra: Partial<TNewIntegration> = {},
): Promise<TIntegration> {
  const name = extra.name ?? `Test ${Math.random().toString(36).slice(2, 8)}`;
  const [row] = await db
    .insert(integrations)
    .values({
      teamId,
      name,
      schemaName: extra.schemaName ?? name.toLowerCase().replace(/[^a-z0-9]/g, "_"),
      host: conn.host,
      port: conn.port,
      username: conn.user,
      passwordEnc: seal(conn.password),
      database: conn.database,
      ...extra,
    })
    .returning();
  return row!;
}
