import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { demoSource, fillDemo, signInAsOwner } from "./fixtures";

const SHOTS = process.env.JOB_STATUS_SHOTS ?? ".test-data/screens-job-status";
const NAME = "Status Demo";
const LOCKED = "e2e_locked_readings";
const OPEN = "e2e_open_readings";

/** SQL on the demo source as the embedded server's superuser (the e2e install's). */
async function onDemo(text: string): Promise<void> {
  const dataDir = process.env.E2E_DATA_DIR ?? ".test-data/e2e";
  const password = readFileSync(join(dataDir, "pg-superuser-password"), "utf8").trim();
  const c = new pg.Client({ host: "127.0.0.1", port: Number(process.env.E2E_PG_PORT ?? 54410), user: "postgres", password, database: "demo" });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

const syncStatus = (page: Page) => page.getByText(/^Sync Status/);

/** Run Extraction Now; the schedule may have queued or started a job first, which does the same. */
async function runNow(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Run Extraction Now" }).click();
  await expect(page.getByText(/^(Extraction queued|A job for this integration is already waiting to run|An extraction is already running for this integration)/)).toBeVisible();
}

test.describe.serial("A job in which a table cannot be read is Failed, says which table, and the next job recovers it", () => {
  let integrationId = "";

  test.beforeEach(async ({ page }) => {
    await signInAsOwner(page);
  });

  test("first job succeeds; after the source user loses SELECT on one table the job and Sync Status show Failed with its name", async ({ page }) => {
    await onDemo(
      `DROP TABLE IF EXISTS ${LOCKED}, ${OPEN};
       CREATE TABLE ${OPEN} (id int PRIMARY KEY, v numeric); INSERT INTO ${OPEN} SELECT g, g / 4.0 FROM generate_series(1, 300) g;
       CREATE TABLE ${LOCKED} (id int PRIMARY KEY, v numeric); INSERT INTO ${LOCKED} SELECT g, g / 8.0 FROM generate_series(1, 40) g;
       GRANT SELECT ON ${OPEN}, ${LOCKED} TO ${demoSource().user};`,
    );
    await page.goto("/integrations/new/postgres");
    await fillDemo(page, NAME);
    await page.getByLabel("Log-based Replication").uncheck();
    await page.getByRole("button", { name: "Check and Save" }).click();
    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}/, { timeout: 60_000 });
    integrationId = page.url().match(/\/integrations\/([0-9a-f-]{36})/)![1]!;

    await page.goto(`/integrations/${integrationId}`);
    for (const t of [OPEN, LOCKED]) {
      const box = page.getByRole("checkbox", { name: `public.${t}`, exact: true });
      await expect(box).toBeVisible({ timeout: 60_000 });
      await box.check();
    }
    await page.getByRole("button", { name: "Finalize Your Selections" }).click();
    await expect(page.getByText(/Selections finalized \(2 tables\)/)).toBeVisible();
    await runNow(page);
    await expect(syncStatus(page)).toContainText("Succeeded", { timeout: 120_000 });

    // The table becomes unreadable for the integration's user.
    await onDemo(`REVOKE SELECT ON ${LOCKED} FROM ${demoSource().user}`);
    await runNow(page);
    await expect(syncStatus(page)).toContainText("Failed", { timeout: 120_000 });
    const problem = page.getByRole("region", { name: "Last job failed" });
    await expect(problem).toContainText(`1 of 2 table(s) failed: public.${LOCKED}`);
    await expect(problem).toContainText(`permission denied for table ${LOCKED}`);
    await expect(problem).toContainText("The other tables' rows are loaded");
    await page.screenshot({ path: `${SHOTS}/integration-failed.png`, fullPage: true });

    await page.goto("/");
    const row = page.getByRole("table", { name: "Integrations" }).getByRole("row").filter({ hasText: NAME });
    await expect(row).toContainText("Failed");
    await expect(row).toContainText(`public.${LOCKED} (permission denied for table ${LOCKED})`);
    await expect(row).not.toContainText("Succeeded");
    await page.screenshot({ path: `${SHOTS}/dashboard-failed.png`, fullPage: true });
  });

  test("Extraction Logs and Loading Reports name the failed table and why", async ({ page }) => {
    await page.goto(`/integrations/${integrationId}/logs`);
    const latest = page.getByRole("row").filter({ has: page.getByRole("link", { name: "View log" }) }).first();
    await expect(latest).toContainText("Failed");
    await expect(latest).toContainText(`public.${LOCKED}`);
    await expect(page.getByTestId("job-status")).toHaveText("Failed");
    await expect(page.getByRole("log", { name: "Log lines" })).toContainText(`Job failed: 1 of 2 table(s) failed: public.${LOCKED}`);
    await page.screenshot({ path: `${SHOTS}/logs-failed.png`, fullPage: true });

    await page.getByRole("link", { name: "Loading Reports" }).click();
    const all = page.getByRole("table", { name: "All tables" });
    await expect(all.getByRole("row").filter({ hasText: `public.${LOCKED}` })).toContainText(`Failed`);
    await expect(all.getByRole("row").filter({ hasText: `public.${LOCKED}` })).toContainText(`permission denied for table ${LOCKED}`);
    await expect(all.getByRole("row").filter({ hasText: `public.${OPEN}` })).toContainText("Succeeded");
    await page.screenshot({ path: `${SHOTS}/reports-failed.png`, fullPage: true });
  });

  test("after the grant the next job loads the table and Sync Status is Succeeded again", async ({ page }) => {
    await onDemo(`GRANT SELECT ON ${LOCKED} TO ${demoSource().user}`);
    await page.goto(`/integrations/${integrationId}`);
    await expect(syncStatus(page)).toContainText("Failed");
    await runNow(page);
    await expect(syncStatus(page)).toContainText("Succeeded", { timeout: 120_000 });
    await expect(page.getByRole("region", { name: "Last job failed" })).toHaveCount(0);
    await page.getByRole("link", { name: "Loading Reports" }).click();
    await expect(page.getByRole("table", { name: "All tables" }).getByRole("row").filter({ hasText: `public.${LOCKED}` })).toContainText("Succeeded");
  });
});
