import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { catalogTables, tableSelections } from "@/db/schema";
import { refreshCatalog } from "@/lib/source/discovery-store";
import { discoverSource, tableKeyOf, type TDiscovery } from "@/lib/source/discovery";
import { getFinalizedSelections } from "@/lib/selection/finalized";
import { finalizeSelections, setColumn, setTableTracked } from "@/lib/selection/store";
import { quoteIdent } from "@/lib/naming/identifiers";
import { createAppDatabase, createEmptyDatabase, withClient, type TTestAppDb } from "../support/databases";
import { createIntegration, createTeamWithUser } from "../support/fixtures";

const HOSTILE_SCHEMA = 'Sales "EU".v2';
const LONG = "t".repeat(30) + "é".repeat(16); // 30 + 32 = 62 bytes… plus one more byte below = 63
const LONG63 = LONG + "x";
const HOSTILE_TABLES = ["Order Items", 'quote"d', "dot.ted", "ünïcødé_表", "select", LONG63, "MixedCase"];

describe("discovery against real PostgreSQL", () => {
  let app: TTestAppDb;
  let main: { url: string; name: string; drop(): Promise<void> };
  let second: { url: string; name: string; drop(): Promise<void> };
  let noConnect: { url: string; name: string; drop(): Promise<void> };
  const role = `disc_${randomBytes(4).toString("hex")}`;
  const password = "disc-password-1";
  let host: string;
  let port: number;
  let discovery: TDiscovery;

  beforeAll(async () => {
    app = await createAppDatabase();
    main = await createEmptyDatabase("embedded", "disc");
    second = await createEmptyDatabase("embedded", "disc2");
    noConnect = await createEmptyDatabase("embedded", "disc3");
    const server = new URL(inject("embeddedUrl"));
    host = server.hostname;
    port = Number(server.port);
    await withClient(inject("embeddedUrl"), async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      await c.query(`REVOKE CONNECT ON DATABASE ${quoteIdent(noConnect.name)} FROM PUBLIC`);
    });
    await withClient(main.url, async (c) => {
      await c.query(`
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
        CREATE SCHEMA ${quoteIdent(HOSTILE_SCHEMA)};
        CREATE TABLE public.kinds (
          id bigint PRIMARY KEY,
          amount numeric(12,2) NOT NULL,
          code character varying(10),
          nums integer[],
          feeling mood,
          qty positive_int,
          at timestamptz,
          doc jsonb
        );
        INSERT INTO public.kinds (id, amount) SELECT g, g FROM generate_series(1, 500) g;
        ANALYZE public.kinds;
        CREATE VIEW public.kinds_view AS SELECT id, amount FROM public.kinds;
        CREATE MATERIALIZED VIEW public.kinds_mat AS SELECT id, code FROM public.kinds;
        CREATE TABLE public.measure (id int NOT NULL, day date NOT NULL, v text, PRIMARY KEY (id, day)) PARTITION BY RANGE (day);
        CREATE TABLE public.measure_2025 PARTITION OF public.measure FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE public.measure_2026 PARTITION OF public.measure FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        INSERT INTO public.measure SELECT g, date '2025-03-01' + (g % 400), 'x' FROM generate_series(1, 300) g;
        ANALYZE public.measure;
        CREATE TABLE public.secret (id int PRIMARY KEY, s text);
        CREATE TABLE public.partly (id int PRIMARY KEY, visible text, hidden text);
      `);
      for (const t of HOSTILE_TABLES) {
        await c.query(`CREATE TABLE ${quoteIdent(HOSTILE_SCHEMA)}.${quoteIdent(t)} (${quoteIdent("Id Col")} int PRIMARY KEY, ${quoteIdent('we"ird.col')} text, "order" int)`);
      }
      await c.query(`GRANT USAGE ON SCHEMA public, ${quoteIdent(HOSTILE_SCHEMA)} TO ${role}`);
      await c.query(`GRANT SELECT ON public.kinds, public.kinds_view, public.kinds_mat, public.measure TO ${role}`);
      await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${quoteIdent(HOSTILE_SCHEMA)} TO ${role}`);
      await c.query(`GRANT SELECT (id, visible) ON public.partly TO ${role}`);
    });
    await withClient(second.url, async (c) => {
      await c.query(`CREATE TABLE other_db_table (id uuid PRIMARY KEY, name text)`);
      await c.query(`GRANT SELECT ON other_db_table TO ${role}`);
    });
    discovery = await discoverSource({ host, port, user: role, password, database: main.name, sslMode: "disable" });
  });

  afterAll(async () => {
    await app?.close();
    await main?.drop();
    await second?.drop();
    await noConnect?.drop();
    await withClient(inject("embeddedUrl"), (c) => c.query(`DROP ROLE IF EXISTS ${role}`)).catch(() => undefined);
  });

  const rel = (database: string, schema: string, name: string) => {
    const d = discovery.databases.find((x) => x.name === database);
    return d?.relations.find((r) => r.schema === schema && r.name === name);
  };

  it("lists every database the user can connect to, and not one whose CONNECT was revoked or templates", () => {
    const names = discovery.databases.map((d) => d.name);
    expect(names).toContain(main.name);
    expect(names).toContain(second.name);
    expect(names).not.toContain(noConnect.name);
    expect(names).not.toContain("template0");
    expect(names).not.toContain("template1");
    expect(rel(second.name, "public", "other_db_table")?.columns.map((c) => [c.name, c.type, c.primaryKey])).toEqual([
      ["id", "uuid", true],
      ["name", "text", false],
    ]);
  });

  it("lists tables, views, materialized views and the partitioned parent (not its partitions) with row estimates", () => {
    expect(rel(main.name, "public", "kinds")).toMatchObject({ kind: "table", rowEstimate: 500, accessible: true });
    expect(rel(main.name, "public", "kinds_view")).toMatchObject({ kind: "view", rowEstimate: null });
    expect(rel(main.name, "public", "kinds_mat")).toMatchObject({ kind: "materialized_view" });
    expect(rel(main.name, "public", "measure")).toMatchObject({ kind: "partitioned_table", rowEstimate: 300 });
    expect(rel(main.name, "public", "measure_2025")).toBeUndefined();
    expect(rel(main.name, "public", "measure_2026")).toBeUndefined();
    expect(rel(main.name, "public", "measure")?.columns.filter((c) => c.primaryKey).map((c) => c.name)).toEqual(["id", "day"]);
  });

  it("gives columns in order with types as PostgreSQL writes them, nullability and the primary key", () => {
    const cols = rel(main.name, "public", "kinds")!.columns;
    expect(cols.map((c) => [c.name, c.type, c.nullable, c.primaryKey])).toEqual([
      ["id", "bigint", false, true],
      ["amount", "numeric(12,2)", false, false],
      ["code", "character varying(10)", true, false],
      ["nums", "integer[]", true, false],
      ["feeling", "mood", true, false],
      ["qty", "positive_int", true, false],
      ["at", "timestamp with time zone", true, false],
      ["doc", "jsonb", true, false],
    ]);
    expect(cols.find((c) => c.name === "qty")?.baseType).toBe("integer");
    expect(cols.every((c) => c.supported && c.readable)).toBe(true);
  });

  it("keeps hostile identifiers exactly (spaces, quotes, dots, unicode, reserved words, 63 bytes)", () => {
    expect(Buffer.byteLength(LONG63)).toBe(63);
    for (const t of HOSTILE_TABLES) {
      const r = rel(main.name, HOSTILE_SCHEMA, t);
      expect(r, t).toBeDefined();
      expect(r!.tableKey).toBe(tableKeyOf(main.name, HOSTILE_SCHEMA, t));
      expect(r!.columns.map((c) => c.name)).toEqual(["Id Col", 'we"ird.col', "order"]);
      expect(r!.accessible).toBe(true);
    }
  });

  it("shows a table the user cannot SELECT as not accessible, and columns it cannot read as unreadable", () => {
    expect(rel(main.name, "public", "secret")).toMatchObject({ accessible: false });
    const partly = rel(main.name, "public", "partly")!;
    expect(partly.accessible).toBe(true);
    expect(partly.columns.map((c) => [c.name, c.readable])).toEqual([
      ["id", true],
      ["visible", true],
      ["hidden", false],
    ]);
  });

  it("stores the catalog, and a refresh shows an added column, selected by default on a tracked table", async () => {
    const { team } = await createTeamWithUser(app.db);
    const integration = await createIntegration(app.db, team.id, { host, port, user: role, password, database: main.name }, { defaultMethod: "full_table" });
    const first = await refreshCatalog(app.db, { teamId: team.id, integrationId: integration.id });
    expect(first.databases.find((d) => d.name === main.name)?.tables).toBe(first.tables - first.databases.filter((d) => d.name !== main.name).reduce((n, d) => n + d.tables, 0));
    const stored = await app.db.select().from(catalogTables).where(eq(catalogTables.integrationId, integration.id));
    expect(stored.map((s) => s.tableKey)).toContain(tableKeyOf(main.name, HOSTILE_SCHEMA, 'quote"d'));
    expect(stored.length).toBe(first.tables);

    const key = tableKeyOf(main.name, "public", "kinds");
    const scope = { teamId: team.id, integrationId: integration.id };
    await setTableTracked(app.db, scope, key, true);
    await setColumn(app.db, scope, key, "doc", false);
    await finalizeSelections(app.db, scope);

    await withClient(main.url, async (c) => {
      await c.query(`ALTER TABLE public.kinds ADD COLUMN "Added Later" text`);
      await c.query(`CREATE TABLE public.brand_new (id int PRIMARY KEY)`);
      await c.query(`GRANT SELECT ON public.brand_new TO ${role}`);
      await c.query(`DROP MATERIALIZED VIEW public.kinds_mat`);
    });
    const second = await refreshCatalog(app.db, { teamId: team.id, integrationId: integration.id });
    expect(second.newColumns[key]).toEqual(["Added Later"]);
    const after = await app.db.select().from(catalogTables).where(eq(catalogTables.integrationId, integration.id));
    const keys = after.map((a) => a.tableKey);
    expect(keys).toContain(tableKeyOf(main.name, "public", "brand_new"));
    expect(keys).not.toContain(tableKeyOf(main.name, "public", "kinds_mat"));

    const [sel] = await app.db.select().from(tableSelections).where(eq(tableSelections.tableKey, key));
    expect(sel!.finalized!.columns).toContain("Added Later");
    expect(sel!.finalized!.columns).not.toContain("doc");
    const jobView = await getFinalizedSelections(app.db, integration.id);
    expect(jobView).toHaveLength(1);
    expect(jobView[0]!.columns.map((c) => c.name)).toEqual(["id", "amount", "code", "nums", "feeling", "qty", "at", "Added Later"]);
  });

  it("works the same on PostgreSQL 15 over SSL (another server version's catalog)", async () => {
    const db15 = await createEmptyDatabase("pg15", "disc15");
    try {
      await withClient(db15.url, (c) =>
        c.query(`
          CREATE TABLE "Events" (id bigint, day date NOT NULL, "Payload" jsonb, PRIMARY KEY (id, day)) PARTITION BY RANGE (day);
          CREATE TABLE events_2025 PARTITION OF "Events" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
          CREATE VIEW recent AS SELECT id FROM "Events";
        `),
      );
      const pg15 = inject("pg15");
      const su = new URL(pg15.superuserUrl);
      const d = await discoverSource({ host: pg15.host, port: pg15.port, user: decodeURIComponent(su.username), password: decodeURIComponent(su.password), database: db15.name, sslMode: "verify-ca", sslCa: pg15.caPem });
      expect(d.serverVersionNum).toBeGreaterThanOrEqual(150000);
      expect(d.serverVersionNum).toBeLessThan(160000);
      const mine = d.databases.find((x) => x.name === db15.name)!;
      expect(mine.relations.map((r) => [r.name, r.kind])).toEqual([
        ["Events", "partitioned_table"],
        ["recent", "view"],
      ]);
      expect(mine.relations[0]!.columns.map((c) => [c.name, c.type, c.primaryKey])).toEqual([
        ["id", "bigint", true],
        ["day", "date", true],
        ["Payload", "jsonb", false],
      ]);
    } finally {
      await db15.drop();
    }
  });
});
