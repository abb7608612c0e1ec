import pg from "pg";
import { eq } from "drizzle-orm";
import type { TDb } from "@/db/client";
import { catalogTables, destinations, jobRuns, tableLoads, tableSelections, type TCatalogColumn, type TIntegration, type TJobRun, type TTableSelectionState } from "@/db/schema";
import { seal } from "@/lib/crypto";
import { TEXT_SESSION_SQL } from "@/lib/connectors/postgres/destination/text-session";
import { createJobLogger } from "@/lib/jobs/log";
import type { TJobOutcome } from "@/lib/jobs/worker";
import { quoteIdent } from "@/lib/naming/identifiers";
import { runExtractJob, type TExtractOptions } from "@/lib/replication/extract-job";
import { createIntegration, createTeamWithUser } from "./fixtures";
import { createAppDatabase, createEmptyDatabase, type TTestAppDb } from "./databases";
import { connectionParts } from "./url";

/** Runs SQL on a database by URL. */
export async function sqlOn<T extends pg.QueryResultRow = Record<string, string | null>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url, types: { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig });
  await c.connect();
  try {
    await c.query(TEXT_SESSION_SQL);
    const res = await c.query<T>(text, params);
    return res.rows;
  } finally {
    await c.end();
  }
}

export type TEngineWorld = {
  app: TTestAppDb;
  teamId: string;
  integration: TIntegration;
  sourceUrl: string;
  destUrl: string;
  schema: string;
  close(): Promise<void>;
};

/** A product database, a team with a destination (an empty database), and an integration to an empty source database. */
export async function createEngineWorld(opts: { source?: "embedded" | "pg15"; includeSchemaNames?: boolean; name?: string } = {}): Promise<TEngineWorld> {
  const app = await createAppDatabase();
  const { team } = await createTeamWithUser(app.db);
  const source = await createEmptyDatabase(opts.source ?? "embedded", "src");
  const dest = await createEmptyDatabase("embedded", "dst");
  const d = connectionParts(dest.url);
  await app.db.insert(destinations).values({ teamId: team.id, host: d.host, port: d.port, username: d.user, passwordEnc: seal(d.password), database: d.database });
  const s = connectionParts(source.url);
  const name = opts.name ?? `Engine ${Math.random().toString(36).slice(2, 8)}`;
  const integration = await createIntegration(app.db, team.id, s, { name, includeSchemaNames: opts.includeSchemaNames ?? false, defaultMethod: "full_table" });
  return {
    app,
    teamId: team.id,
    integration,
    sourceUrl: source.url,
    destUrl: dest.url,
    schema: integration.schemaName,
    async close() {
      await app.close();
      await source.drop();
      await dest.drop();
    },
  };
}

/** Records the source relation in the catalog (as discovery would) and finalizes a selection for it. */
export async function selectTable(
  world: TEngineWorld,
  rel: { schema?: string; name: string },
  choice: Partial<TTableSelectionState> & { method: TTableSelectionState["method"] },
): Promise<string> {
  const schema = rel.schema ?? "public";
  const database = connectionParts(world.sourceUrl).database;
  const regclass = `${quoteIdent(schema)}.${quoteIdent(rel.name)}`;
  const cols = await sqlOn<{ name: string; type: string; notnull: string; pk: string }>(
    world.sourceUrl,
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull::text AS notnull,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY(i.indkey))::text AS pk
       FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [regclass],
  );
  const [k] = await sqlOn<{ relkind: string }>(world.sourceUrl, `SELECT relkind FROM pg_class WHERE oid = $1::regclass`, [regclass]);
  const kind = ({ r: "table", v: "view", m: "materialized_view", p: "partitioned_table" } as const)[k!.relkind as "r" | "v" | "m" | "p"];
  const columns: TCatalogColumn[] = cols.map((c) => ({ name: c.name, type: c.type, nullable: c.notnull !== "true", primaryKey: c.pk === "true", supported: true, readable: true }));
  const tableKey = `${quoteIdent(database)}.${quoteIdent(schema)}.${quoteIdent(rel.name)}`;
  await world.app.db
    .insert(catalogTables)
    .values({ integrationId: world.integration.id, tableKey, database, schema, name: rel.name, kind, rowEstimate: null, columns })
    .onConflictDoUpdate({ target: [catalogTables.integrationId, catalogTables.tableKey], set: { columns, kind } });
  const finalized: TTableSelectionState = {
    tracked: true,
    columns: choice.columns ?? columns.map((c) => c.name),
    method: choice.method,
    replicationKey: choice.replicationKey ?? [],
    viewKeyColumns: choice.viewKeyColumns ?? [],
  };
  await world.app.db
    .insert(tableSelections)
    .values({ integrationId: world.integration.id, tableKey, finalized, finalizedAt: new Date() })
    .onConflictDoUpdate({ target: [tableSelections.integrationId, tableSelections.tableKey], set: { finalized, finalizedAt: new Date() } });
  return tableKey;
}

/** Runs one extract job in this process (as the worker would) and returns its run row and outcome. */
export async function runJob(world: TEngineWorld, opts: TExtractOptions & { shouldStop?: () => boolean } = {}): Promise<{ run: TJobRun; outcome: TJobOutcome | null; error: string | null; db: TDb }> {
  const db = world.app.db;
  const [run] = await db.insert(jobRuns).values({ teamId: world.teamId, integrationId: world.integration.id, kind: "extract", trigger: "manual", status: "running", startedAt: new Date() }).returning();
  const log = createJobLogger(db, run!.id);
  try {
    const outcome = await runExtractJob({ db, run: run!, log, shouldStop: opts.shouldStop ?? (() => false) }, opts);
    await log.flush();
    return { run: run!, outcome, error: null, db };
  } catch (err) {
    await log.flush();
    const tableErrors = (await loadsOf(db, run!.id)).map((l) => `${l.tableKey}: ${l.error}`);
    return { run: run!, outcome: null, error: [err instanceof Error ? err.message : String(err), ...tableErrors].join("\n"), db };
  }
}

export async function loadsOf(db: TDb, jobRunId: string) {
  return db.select().from(tableLoads).where(eq(tableLoads.jobRunId, jobRunId));
}

/** Rows of both sides as text, ordered the same way, for a row-by-row comparison. */
export async function compareTables(world: TEngineWorld, sourceRel: string, destTable: string, columns: string[], orderBy: string[]) {
  const cols = columns.map(quoteIdent).join(", ");
  const order = orderBy.map(quoteIdent).join(", ");
  const src = await sqlOn(world.sourceUrl, `SELECT ${cols} FROM ${sourceRel} ORDER BY ${order}`);
  const dst = await sqlOn(world.destUrl, `SELECT ${cols} FROM ${quoteIdent(world.schema)}.${quoteIdent(destTable)} ORDER BY ${order}`);
  return { src, dst };
}
