import { expect, test, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { demoSource, fillDemo, signInAsOwner } from "./fixtures";
import { queryAsSuperuser } from "./db";

const SHOTS = ".test-data/screens-partitions";
const NAME = "Shape Demo";
const SCHEMA = "shape_demo";
const GROWN = "e2e_grown";

const query = queryAsSuperuser;

/** Source and warehouse rows of a table, every column as text, in key order. */
async function expectSameRows(table: string, columns: string[], orderBy: string): Promise<void> {
  const list = columns.map((c) => `"${c}"::text AS "${c}"`).join(", ");
  const src = await query("demo", `SELECT ${list} FROM public.${table} ORDER BY ${orderBy}`);
  const dst = await query("warehouse", `SELECT ${list} FROM ${SCHEMA}.${table} WHERE _sdc_deleted_at IS NULL ORDER BY ${orderBy}`);
  expect(dst.length).toBe(src.length);
  expect(dst).toEqual(src);
}

const tableBox = (page: Page, label: string) => page.getByRole("checkbox", { name: label, exact: true });
const columns = (page: Page, label: string) => page.getByRole("group", { name: `Columns of ${label}` });

/** The table's loading report, reloaded until it lists `count` succeeded loads. */
async function waitForLoads(page: Page, integrationId: string, tableKey: string, count: number): Promise<void> {
  const url = `/integrations/${integrationId}/reports?${new URLSearchParams({ range: "24h", table: tableKey })}`;
  const loads = page.getByRole("table", { name: "Loads of this table" });
  await expect(async () => {
    await page.goto(url);
    await expect(loads.getByRole("row").filter({ hasText: "Succeeded" })).toHaveCount(count, { timeout: 1000 });
  }).toPass({ timeout: 180_000, intervals: [1000] });
}

async function trackLogBased(page: Page, label: string): Promise<void> {
  await expect(tableBox(page, label)).toBeVisible({ timeout: 60_000 });
  await tableBox(page, label).check();
  await columns(page, label).getByRole("button", { name: "Table Settings" }).click();
  const dialog = page.getByRole("dialog", { name: /Table Settings/ });
  await dialog.getByLabel("Log-based Incremental").check();
  await dialog.getByRole("button", { name: "Update Settings" }).click();
  await expect(dialog).toBeHidden();
}

test.describe.serial("A partitioned table and a column added with a default, under Log-based", () => {
  let integrationId = "";
  const pageViews = ["id", "viewed_at", "path", "duration"];

  test.beforeAll(() => {
    mkdirSync(SHOTS, { recursive: true });
  });
  test.beforeEach(async ({ page }) => {
    test.setTimeout(300_000);
    await signInAsOwner(page);
  });

  test("both tables arrive whole in the first job", async ({ page }) => {
    await query(
      "demo",
      `DROP TABLE IF EXISTS ${GROWN};
       CREATE TABLE ${GROWN} (id int PRIMARY KEY, label text);
       INSERT INTO ${GROWN} SELECT g, 'row ' || g FROM generate_series(1, 200) g;
       DELETE FROM page_views WHERE id > 80000;
       INSERT INTO page_views SELECT g, date '2025-01-01' + (g % 700), '/p/' || g, (g % 90) * interval '1 second' FROM generate_series(80001, 80600) g;
       GRANT SELECT ON ${GROWN}, page_views, page_views_2025, page_views_2026 TO ${demoSource().user};`,
    );
    await page.goto("/integrations/new/postgres");
    await fillDemo(page, NAME);
    await page.getByRole("button", { name: "Check and Save" }).click();
    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}/, { timeout: 60_000 });
    integrationId = page.url().match(/\/integrations\/([0-9a-f-]{36})/)![1]!;

    // Log-based needs the database's slot: made here when no earlier spec made it.
    await page.getByRole("link", { name: "Settings" }).click();
    const slot = page.getByRole("region", { name: "Prerequisite report" }).locator('[data-check="slot"]');
    await expect(slot).toBeVisible({ timeout: 30_000 });
    const create = slot.getByRole("button", { name: "Create slot with pgoutput" });
    if (await create.isVisible()) {
      await create.click();
      await expect(slot).toHaveAttribute("data-status", "pass", { timeout: 30_000 });
    }

    await page.goto(`/integrations/${integrationId}`);
    // One entry for the partitioned table; its partitions are not tables of their own.
    await expect(tableBox(page, "public.page_views")).toBeVisible({ timeout: 60_000 });
    await expect(tableBox(page, "public.page_views_2025")).toHaveCount(0);
    await page.screenshot({ path: `${SHOTS}/tables-partitioned.png`, fullPage: true });
    await trackLogBased(page, "public.page_views");
    await trackLogBased(page, `public.${GROWN}`);
    await page.getByRole("button", { name: "Finalize Your Selections" }).click();
    await expect(page.getByText(/Selections finalized \(2 tables/)).toBeVisible();
    await page.getByRole("button", { name: "Run Extraction Now" }).click();
    await expect(page.getByText(/^(Extraction queued|A job for this integration is already waiting to run|An extraction is already running for this integration)/).first()).toBeVisible();

    await waitForLoads(page, integrationId, '"demo"."public"."page_views"', 1);
    await expectSameRows("page_views", pageViews, "id, viewed_at");
    await expectSameRows(GROWN, ["id", "label"], "id");
  });

  test("changes across partitions and a column added with a default arrive value by value", async ({ page }) => {
    await query(
      "demo",
      `INSERT INTO page_views VALUES (90001, '2025-03-03', '/new/2025', '1 minute'), (90002, '2026-04-04', '/new/2026', NULL);
       UPDATE page_views SET viewed_at = '2026-06-06', path = '/moved' WHERE id = 80005 AND viewed_at < '2026-01-01';
       DELETE FROM page_views WHERE id = 80006;
       ALTER TABLE ${GROWN} ADD COLUMN "Added Later" text DEFAULT 'dflt';
       UPDATE ${GROWN} SET "Added Later" = 'changed', label = 'touched' WHERE id = 7;`,
    );
    await page.goto(`/integrations/${integrationId}`);
    await page.getByRole("button", { name: "Run Extraction Now" }).click();
    await expect(page.getByText(/^(Extraction queued|A job for this integration is already waiting to run|An extraction is already running for this integration)/).first()).toBeVisible();

    await waitForLoads(page, integrationId, `"demo"."public"."${GROWN}"`, 2);
    await waitForLoads(page, integrationId, '"demo"."public"."page_views"', 2);
    await expectSameRows("page_views", pageViews, "id, viewed_at");
    await expectSameRows(GROWN, ["id", "label", "Added Later"], "id");
    const [dflt] = await query("warehouse", `SELECT count(*) AS n FROM ${SCHEMA}.${GROWN} WHERE "Added Later" = 'dflt'`);
    expect(dflt!.n).toBe("199");

    await page.goto(`/integrations/${integrationId}/logs`);
    await page.getByRole("link", { name: "View log" }).first().click();
    const lines = page.getByRole("log", { name: "Log lines" });
    await expect(lines).toContainText(`Column "Added Later" was added to public.${GROWN} with a default`, { timeout: 30_000 });
    await page.screenshot({ path: `${SHOTS}/log-column-added.png`, fullPage: true });
  });
});
