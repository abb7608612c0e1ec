import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { fillDemo, signInAsOwner } from "./fixtures";

// Outside test-results (Playwright empties that folder on every run, and other runs share it).
const SHOTS = ".test-data/screens-engine";
const NAME = "Engine Demo";
const SCHEMA = "engine_demo";

/** A query on the embedded server (the e2e install's superuser), for checking the warehouse. */
async function query(database: string, text: string): Promise<Record<string, string>[]> {
  const dataDir = process.env.E2E_DATA_DIR ?? ".test-data/e2e";
  const password = readFileSync(join(dataDir, "pg-superuser-password"), "utf8").trim();
  const c = new pg.Client({ host: "127.0.0.1", port: Number(process.env.E2E_PG_PORT ?? 54410), user: "postgres", password, database, types: { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig });
  await c.connect();
  try {
    await c.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET extra_float_digits = 3");
    return (await c.query(text)).rows as Record<string, string>[];
  } finally {
    await c.end();
  }
}

const tableBox = (page: Page, label: string) => page.getByRole("checkbox", { name: label, exact: true });
const columns = (page: Page, label: string) => page.getByRole("group", { name: `Columns of ${label}` });

test.describe.serial("The engine: destination, Run Extraction Now, logs, loading reports", () => {
  let integrationId = "";

  test.beforeEach(async ({ page }) => {
    await signInAsOwner(page);
  });

  test("Destination: the embedded warehouse is preconfigured; Update PostgreSQL Settings tests and saves it", async ({ page }) => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Destination" }).click();
    await expect(page.getByRole("heading", { name: "Destination" })).toBeVisible();
    await expect(page.getByLabel("Host (Endpoint)")).toHaveValue("127.0.0.1");
    await expect(page.getByLabel("Port")).toHaveValue(String(process.env.E2E_PG_PORT ?? 54410));
    await expect(page.getByLabel("Database")).toHaveValue("warehouse");
    await expect(page.getByLabel("Username")).not.toHaveValue("");
    // The password is never sent to the browser.
    await expect(page.getByLabel("Password")).toHaveValue("");
    await expect(page.getByLabel("Connect using SSL")).not.toBeChecked();
    await expect(page.getByLabel("SSL Certificate")).toBeVisible();

    await page.getByLabel("Port").fill("70000");
    await page.getByLabel("SSL Certificate").fill("not a certificate");
    await page.getByRole("button", { name: "Update PostgreSQL Settings" }).click();
    await expect(page.getByText("Between 1 and 65535")).toBeVisible();
    await expect(page.getByText("Paste a PEM certificate")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/destination-errors.png`, fullPage: true });

    await page.getByLabel("Port").fill(String(process.env.E2E_PG_PORT ?? 54410));
    await page.getByLabel("SSL Certificate").fill("");
    await page.getByRole("button", { name: "Update PostgreSQL Settings" }).click();
    await expect(page.getByText("Success!")).toBeVisible({ timeout: 30_000 });
    const report = page.getByRole("region", { name: "Connection test" });
    await expect(report.getByText("CREATE on the database")).toBeVisible();
    await expect(report.getByText("SELECT on information_schema")).toBeVisible();
    await expect(report.getByText("fail", { exact: true })).toHaveCount(0);
    await page.screenshot({ path: `${SHOTS}/destination-success.png`, fullPage: true });

    // A wrong password is reported and not saved.
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Update PostgreSQL Settings" }).click();
    await expect(page.getByText("The settings were not saved")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole("region", { name: "Connection test" })).toContainText("password authentication failed");
    await page.screenshot({ path: `${SHOTS}/destination-failed-check.png`, fullPage: true });
  });

  test("an integration with two tables; Run Extraction Now; the job succeeds and the warehouse equals the source", async ({ page }) => {
    await page.goto("/integrations/new/postgres");
    await fillDemo(page, NAME);
    await page.getByLabel("Log-based Replication").uncheck();
    await page.getByRole("button", { name: "Check and Save" }).click();
    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}/, { timeout: 60_000 });
    integrationId = page.url().match(/\/integrations\/([0-9a-f-]{36})/)![1]!;

    await page.goto(`/integrations/${integrationId}`);
    await expect(tableBox(page, "public.customers")).toBeVisible({ timeout: 60_000 });
    await tableBox(page, "public.customers").check();
    await tableBox(page, "public.orders").check();
    await columns(page, "public.orders").getByRole("button", { name: "Table Settings" }).click();
    const dialog = page.getByRole("dialog", { name: /Table Settings/ });
    await dialog.getByLabel("Key-based Incremental").check();
    await dialog.getByLabel("Replication Key").selectOption("updated_at");
    await dialog.getByRole("button", { name: "Update Settings" }).click();
    await expect(dialog).toBeHidden();
    await page.getByRole("button", { name: "Finalize Your Selections" }).click();
    await expect(page.getByText(/Selections finalized \(2 tables\)/)).toBeVisible();

    await page.getByRole("button", { name: "Run Extraction Now" }).click();
    const notice = page.getByText("Extraction queued").or(page.getByRole("alert"));
    await expect(notice.first()).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/engine-after-run-click.png`, fullPage: true });
    // Finalizing lets the scheduler start the first job at its next tick, which can beat this click: the
    // job is then waiting or already running, and the product says so (that job loads the tables).
    expect(await notice.first().textContent()).toMatch(/^(Extraction queued|A job for this integration is already waiting to run|An extraction is already running for this integration)/);
    await page.screenshot({ path: `${SHOTS}/engine-run-queued.png`, fullPage: true });

    // The dashboard's Sync Status follows the job to Succeeded.
    await expect(async () => {
      await page.goto("/");
      await expect(page.getByRole("row").filter({ hasText: NAME })).toContainText("Succeeded", { timeout: 1000 });
    }).toPass({ timeout: 120_000, intervals: [1000] });
    await page.screenshot({ path: `${SHOTS}/engine-dashboard-succeeded.png`, fullPage: true });

    for (const table of ["customers", "orders"]) {
      const [s] = await query("demo", `SELECT count(*) AS n, md5(string_agg(t::text, ',' ORDER BY id)) AS h FROM (SELECT * FROM public.${table}) t`);
      const cols = (await query("demo", `SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS c FROM pg_attribute WHERE attrelid = 'public.${table}'::regclass AND attnum > 0 AND NOT attisdropped`))[0]!.c;
      const [d] = await query("warehouse", `SELECT count(*) AS n, md5(string_agg(t::text, ',' ORDER BY id)) AS h FROM (SELECT ${cols} FROM ${SCHEMA}.${table}) t`);
      expect({ table, ...d }).toEqual({ table, ...s });
    }
  });

  test("Extraction Logs show the job's lines with State update; Loading Reports list both tables", async ({ page }) => {
    await page.goto(`/integrations/${integrationId}/logs`);
    await page.getByRole("link", { name: "View log" }).first().click();
    const lines = page.getByRole("log", { name: "Log lines" });
    await expect(lines).toContainText("State update:", { timeout: 30_000 });
    await expect(lines).toContainText("COPY");
    await expect(lines).toContainText("CREATE SCHEMA IF NOT EXISTS");
    await page.screenshot({ path: `${SHOTS}/engine-extraction-log.png`, fullPage: true });

    await page.getByRole("link", { name: "Loading Reports" }).click();
    const all = page.getByRole("table", { name: "All tables" });
    await expect(all).toContainText("customers");
    await expect(all).toContainText("orders");
    // Full Table has no bookmark; Key-based shows its max bookmark value.
    await expect(all.getByRole("row").filter({ hasText: "customers" })).toContainText("Bookmark Unavailable");
    await expect(all.getByRole("row").filter({ hasText: "orders" })).toContainText(/\d{4}-\d{2}-\d{2}/);
    await page.screenshot({ path: `${SHOTS}/engine-loading-reports.png`, fullPage: true });
  });
});
