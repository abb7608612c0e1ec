import { expect, test, type Page } from "@playwright/test";
import { fillDemo, signInAsOwner } from "./fixtures";
import { queryAsSuperuser as query } from "./db";

const NAME = "Verify Demo";
const SCHEMA = "verify_demo";
const SHOT = (name: string) => `/tmp/verify-${name}.png`;
const TABLES = ["public.events", "public.order_items", "public.orders"];

const tableBox = (page: Page, label: string) => page.getByRole("checkbox", { name: label, exact: true });
const columns = (page: Page, label: string) => page.getByRole("group", { name: `Columns of ${label}` });

async function setMethod(page: Page, table: string, method: "Full Table" | "Key-based Incremental", key?: string) {
  await columns(page, table).getByRole("button", { name: "Table Settings" }).click();
  const dialog = page.getByRole("dialog", { name: /Table Settings/ });
  await dialog.getByLabel(method).check();
  if (key) await dialog.getByLabel("Replication Key").selectOption(key);
  await dialog.getByRole("button", { name: "Update Settings" }).click();
  await expect(dialog).toBeHidden();
}

/** Loading Reports, reloaded until every row of `tables` shows what `check` expects of its Verify cell. */
async function waitForVerdicts(page: Page, integrationId: string, check: (row: ReturnType<Page["getByRole"]>, table: string) => Promise<void>) {
  const all = page.getByRole("table", { name: "All tables" });
  await expect(async () => {
    await page.goto(`/integrations/${integrationId}/reports?range=24h`);
    for (const t of TABLES) await check(all.getByRole("row").filter({ hasText: t }), t);
  }).toPass({ timeout: 180_000, intervals: [1000] });
  return all;
}

/** Clicks a job button on the integration page; the notice says the job is queued. */
async function press(page: Page, integrationId: string, button: "Verify" | "Repair") {
  await page.goto(`/integrations/${integrationId}`);
  // Enabled once no job of the integration runs (the first extraction, a previous Verify).
  await expect(page.getByRole("button", { name: button, exact: true })).toBeEnabled({ timeout: 120_000 });
  await page.getByRole("button", { name: button, exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: `${button} queued` })).toBeVisible();
}

test.describe.serial("Verify & Repair in the browser", () => {
  let integrationId = "";

  test.beforeEach(async ({ page }) => {
    test.setTimeout(300_000);
    await signInAsOwner(page);
  });

  test("the first job's copy: Verify says Identical for every table", async ({ page }) => {
    await page.goto("/integrations/new/postgres");
    await fillDemo(page, NAME);
    await page.getByLabel("Log-based Replication").uncheck();
    await page.getByRole("button", { name: "Check and Save" }).click();
    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}/, { timeout: 60_000 });
    integrationId = page.url().match(/\/integrations\/([0-9a-f-]{36})/)![1]!;

    await page.goto(`/integrations/${integrationId}`);
    await expect(tableBox(page, "public.orders")).toBeVisible({ timeout: 60_000 });
    for (const t of TABLES) await tableBox(page, t).check();
    // Key-based on id: a job re-reads only the last order, so a row changed by hand stays changed.
    await setMethod(page, "public.orders", "Key-based Incremental", "id");
    await setMethod(page, "public.order_items", "Full Table");
    await setMethod(page, "public.events", "Full Table");
    await page.getByRole("button", { name: "Finalize Your Selections" }).click();
    await expect(page.getByText(/Selections finalized \(3 tables\)/)).toBeVisible();
    // The schedule starts the first job on finalizing; Run Extraction Now may find it waiting or running.
    await page.getByRole("button", { name: "Run Extraction Now" }).click();
    await expect(page.getByText(/^(Extraction queued|A job for this integration is already waiting to run|An extraction is already running for this integration)/).first()).toBeVisible();
    await expect(async () => {
      await page.goto("/");
      await expect(page.getByRole("row").filter({ hasText: NAME })).toContainText("Succeeded", { timeout: 1000 });
    }).toPass({ timeout: 180_000, intervals: [1000] });

    await press(page, integrationId, "Verify");
    await page.screenshot({ path: SHOT("1-queued"), fullPage: true });
    const all = await waitForVerdicts(page, integrationId, async (row) => {
      await expect(row).toContainText("Identical", { timeout: 1000 });
      await expect(row).toContainText(/Verified \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/, { timeout: 1000 });
    });
    await expect(all.getByRole("columnheader", { name: "Verify" })).toBeVisible();
    await page.screenshot({ path: SHOT("2-identical"), fullPage: true });
  });

  test("a row changed at the destination by hand: Verify names its key; Repair; Verify says Identical again", async ({ page }) => {
    await query("warehouse", `UPDATE ${SCHEMA}.orders SET total = total + 1000 WHERE id = 10`);

    await press(page, integrationId, "Verify");
    const all = await waitForVerdicts(page, integrationId, async (row, t) => {
      await expect(row).toContainText(t === "public.orders" ? "1 row differs" : "Identical", { timeout: 1000 });
    });
    await expect(all.getByRole("row").filter({ hasText: "public.orders" })).toContainText("id=10 (changed)");
    await page.screenshot({ path: SHOT("3-differs"), fullPage: true });

    // The job list says Verify, and its log has the verdict line with the key.
    await page.goto(`/integrations/${integrationId}/logs`);
    const jobs = page.getByRole("table").first();
    await expect(jobs.getByRole("row").nth(1)).toContainText("Verify");
    await expect(jobs.getByRole("row").nth(1)).toContainText("2 identical · 1 differs");
    await page.getByRole("link", { name: "View log" }).first().click();
    await expect(page.getByRole("log", { name: "Log lines" })).toContainText(/1 row differs, source \d+ row\(s\), destination \d+; first keys: changed \{"id":"10"\}/, { timeout: 30_000 });
    await page.screenshot({ path: SHOT("4-log"), fullPage: true });

    await press(page, integrationId, "Repair");
    await waitForVerdicts(page, integrationId, async (row, t) => {
      await expect(row).toContainText("Identical", { timeout: 1000 });
      if (t === "public.orders") await expect(row).toContainText("Repaired 1 row", { timeout: 1000 });
    });
    await page.screenshot({ path: SHOT("5-repaired"), fullPage: true });
    const [fixed] = await query("warehouse", `SELECT total::text FROM ${SCHEMA}.orders WHERE id = 10`);
    const [source] = await query("demo", `SELECT total::text FROM orders WHERE id = 10`);
    expect(fixed).toEqual(source);

    await press(page, integrationId, "Verify");
    // A new verdict: Identical, and no longer the Repair's.
    await waitForVerdicts(page, integrationId, async (row) => {
      await expect(row).toContainText("Identical", { timeout: 1000 });
      await expect(row).not.toContainText("Repaired", { timeout: 1000 });
    });
    await page.screenshot({ path: SHOT("6-identical-again"), fullPage: true });
  });
});
