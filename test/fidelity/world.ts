import pg from "pg";
import { randomBytes } from "node:crypto";
import { createDb } from "@/db/client";
import { destinations } from "@/db/schema";
import { seal } from "@/lib/crypto";
import { createIntegration, createTeamWithUser } from "../support/fixtures";
import type { TEngineWorld } from "../support/engine-harness";
import { connectionParts, withDatabase } from "../support/url";

/** Where worlds are made: the product's and the destination's server (embedded 17) and its migrated template. */
export type TFidelityServers = { appServerUrl: string; appTemplate: string; destServerUrl: string };

async function admin(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * A product database, a team with a destination database and an integration to a new, empty source
 * database on `sourceServerUrl`: the engine harness's world, made from URLs (usable outside vitest).
 */
export async function createFidelityWorld(servers: TFidelityServers, sourceServerUrl: string, name: string): Promise<TEngineWorld> {
  const id = randomBytes(5).toString("hex");
  const appName = `app_${id}`;
  const srcName = `src_${id}`;
  const dstName = `dst_${id}`;
  await admin(servers.appServerUrl, `CREATE DATABASE ${appName} TEMPLATE ${servers.appTemplate}`);
  await admin(sourceServerUrl, `CREATE DATABASE ${srcName}`);
  await admin(servers.destServerUrl, `CREATE DATABASE ${dstName}`);
  const appUrl = withDatabase(servers.appServerUrl, appName);
  const { db, pool } = createDb(appUrl, 5);
  const { team } = await createTeamWithUser(db);
  const destUrl = withDatabase(servers.destServerUrl, dstName);
  const d = connectionParts(destUrl);
  await db.insert(destinations).values({ teamId: team.id, host: d.host, port: d.port, username: d.user, passwordEnc: seal(d.password), database: d.database });
  const sourceUrl = withDatabase(sourceServerUrl, srcName);
  const integration = await createIntegration(db, team.id, connectionParts(sourceUrl), { name: `${name} ${id}`, includeSchemaNames: false, defaultMethod: "full_table" });
  const app = {
    url: appUrl,
    db,
    async close() {
      await pool.end();
      await admin(servers.appServerUrl, `DROP DATABASE IF EXISTS ${appName} WITH (FORCE)`);
    },
  };
  return {
    app,
    teamId: team.id,
    integration,
    sourceUrl,
    destUrl,
    schema: integration.schemaName,
    async close() {
      await app.close();
      // WITH (FORCE) ends the walsenders too; DROP DATABASE then drops the database's slots.
      await admin(sourceServerUrl, `DROP DATABASE IF EXISTS ${srcName} WITH (FORCE)`);
      await admin(servers.destServerUrl, `DROP DATABASE IF EXISTS ${dstName} WITH (FORCE)`);
    },
  };
}
