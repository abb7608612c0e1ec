/**
 * Finding 4 of issue 21: a job never drops or replaces a warehouse table the product did not create.
 * Before the fix an integration named `public` (or any existing schema's name) had Full Table's swap
 * run DROP TABLE on the warehouse's own table.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { openLoader, type TDestinationLoader } from "@/lib/connectors/postgres/destination";
import { assertSchemaNameFree } from "@/lib/integrations/create-integration";
import { AppError } from "@/lib/errors";
import { createAppDatabase, createEmptyDatabase, withClient, type TTestAppDb } from "../support/databases";
import { connectionParts } from "../support/url";

const ID = "00000000-0000-0000-0000-0000000000a1";
const OTHER_ID = "00000000-0000-0000-0000-0000000000b2";
const spec = (table: string) => ({ tableKey: `"db"."s"."${table}"`, table, columns: [{ name: "id", type: "integer" }], primaryKey: ["id"] });
const rows = () => Readable.from(["1\n", "2\n"]);
const opts = { state: { v: 1 }, tableVersion: 1, meta: { extractedAt: new Date().toISOString() } };

describe("the loader writes only where the product made things", () => {
  let dest: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let app: TTestAppDb;
  const open = (schema: string, integrationId = ID): Promise<TDestinationLoader> => openLoader({ conn: { ...connectionParts(dest.url), ssl: false }, schema, integrationId });
  const count = (sql: string) => withClient(dest.url, async (c) => Number((await c.query(sql)).rows[0].n));

  beforeAll(async () => {
    dest = await createEmptyDatabase("embedded", "warehouse");
    app = await createAppDatabase();
    await withClient(dest.url, (c) =>
      c.query(`CREATE TABLE public.orders (id integer PRIMARY KEY, total numeric);
               INSERT INTO public.orders VALUES (1, 9.5), (2, 3);
               CREATE SCHEMA analytics; CREATE TABLE analytics.orders (id integer); INSERT INTO analytics.orders VALUES (7);`),
    );
  });
  afterAll(async () => {
    await dest.drop();
    await app.close();
  });

  it("refuses public, and a warehouse schema holding its own tables; their tables stay", async () => {
    for (const schema of ["public", "analytics"]) {
      const loader = await open(schema);
      try {
        await expect(loader.prepare().then(() => loader.replaceTable(spec("orders"), rows, opts))).rejects.toThrow(/reserved|did not create/);
      } finally {
        await loader.close();
      }
    }
    expect(await count(`SELECT count(*) AS n FROM public.orders`)).toBe(2);
    expect(await count(`SELECT count(*) AS n FROM analytics.orders`)).toBe(1);
  });

  it("a schema it made is marked as this integration's; another integration may not write into it", async () => {
    const mine = await open("sales");
    await mine.prepare();
    expect(await mine.replaceTable(spec("deals"), rows, opts)).toMatchObject({ rowsInserted: 2 });
    await mine.replaceTable(spec("deals"), rows, opts); // its own table: replaced again
    await mine.close();
    const theirs = await open("sales", OTHER_ID);
    await expect(theirs.prepare()).rejects.toThrow(/belongs to another integration/);
    await theirs.close();
  });

  it("never replaces a hand-made table, even in its own schema", async () => {
    await withClient(dest.url, (c) => c.query(`CREATE TABLE sales.hand_made (id integer); INSERT INTO sales.hand_made VALUES (42)`));
    const mine = await open("sales");
    await mine.prepare();
    await expect(mine.replaceTable(spec("hand_made"), rows, opts)).rejects.toThrow(/was not created by this product/);
    await mine.close();
    expect(await count(`SELECT count(*) AS n FROM sales.hand_made WHERE id = 42`)).toBe(1);
  });

  it("adopts an unmarked schema whose tables all came from the product (made before the mark)", async () => {
    await withClient(dest.url, (c) => c.query(`CREATE SCHEMA legacy; CREATE TABLE legacy.t (id integer, _sdc_extracted_at timestamptz)`));
    const loader = await open("legacy");
    await loader.prepare();
    await loader.close();
    const comment = await withClient(dest.url, async (c) => (await c.query(`SELECT obj_description('legacy'::regnamespace, 'pg_namespace') AS c`)).rows[0].c as string);
    expect(comment).toBe(`pgreplicate integration ${ID}`);
  });

  it("Check and Save refuses reserved schema names next to the name", async () => {
    for (const name of ["public", "pg_temp_x", "information_schema", "_pgreplicate"]) {
      const err = await assertSchemaNameFree(app.db, ID, name).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).fieldErrors.name).toMatch(/reserved/);
    }
  });
});
