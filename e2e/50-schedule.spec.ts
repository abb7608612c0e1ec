import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { demoSource, fillDemo, signInAsOwner } from "./fixtures";

const SCREENS = "test-results/screens";
const NAME = "Schedule Demo";
const BIG_ROWS = 2_500_000;

/** A table big enough that a Full Table copy takes a few seconds, so the log and progress can be watched. */
async function demoAdmin(): Promise<pg.Client> {
  const dataDir = process.env.E2E_DATA_DIR ?? ".test-data/e2e";
  const superPassword = readFileSync(join(dataDir, "pg-superuser-password"), "utf8").trim();
  const c = new pg.Client({ connectionString: `postgres://postgres:${encodeURIComponent(superPassword)}@127.0.0.1:${demoSource().port}/demo` });
  await c.connect();
  return c;
}

async function ensureBigTable() {
  const src = demoSource();
  const c = await demoAdmin();
  try {
    await c.query(`CREATE TABLE IF NOT EXISTS public.e2e_big (id bigint PRIMARY KEY, note text NOT NULL)`);
    const { rows } = await c.query<{ n: string }>("SELECT count(*) AS n FROM public.e2e_big");
    if (Number(rows[0]!.n) !== BIG_ROWS) {
      await c.query("TRUNCATE public.e2e_big");
      await c.query(`INSERT INTO public.e2e_big SELECT g, 'row ' || g || repeat('x', 20) FROM generate_series(1, ${BIG_ROWS}) g`);
    }
    await c.query(`GRANT SELECT ON public.e2e_big TO ${src.user}`);
    // Row estimates (what the progress bar measures against) come from the statistics.
    await c.query("ANALYZE public.e2e_big");
  } finally {
    await c.end();
  }
}

async function integrationId(page: Page): Promise<string> {
  await page.goto("/");
  const link = page.getByRole("link", { name: NAME, exact: true });
  if (!(await link.isVisible())) {
    await page.goto("/integrations/new/postgres");
    await fillDemo(page, NAME);
    const logBased = page.getByLabel("Log-based Replication");
    if (await logBased.isChecked()) await logBased.click();
    await page.getByRole("button", { name: "Check and Save" }).click();
    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}/, { timeout: 60_000 });
    await page.goto("/");
  }
  const href = await page.getByRole("link", { name: NAME, exact: true }).getAttribute("href");
  return href!.split("/").pop()!;
}

test.describe.serial("Schedules, job controls, Extraction Logs and Loading Reports", () => {
  let id = "";

  test.beforeAll(async () => {
    await ensureBigTable();
  });
  test.afterAll(async () => {
    // Leave the demo source as later specs expect it (and keep their jobs small).
    const c = await demoAdmin();
    await c.query("DROP TABLE IF EXISTS public.e2e_big");
    await c.end();
  });
  test.beforeEach(async ({ page }) => {
    await signInAsOwner(page);
  });

  test("Settings: a cron schedule shows its next five starts; an invalid cron is a field error", async ({ page }) => {
    id = await integrationId(page);
    await page.goto(`/integrations/${id}/settings`);
    const schedule = page.getByRole("region", { name: "Schedule" });
    await expect(schedule.getByLabel("Replication Frequency")).toHaveValue("60");
    // Anchor Time only with a frequency of 1 hour or more.
    await schedule.getByLabel("Replication Frequency").selectOption({ label: "30 minutes" });
    await expect(schedule.getByLabel("Anchor Time")).toBeDisabled();
    await schedule.getByLabel("Replication Frequency").selectOption({ label: "6 hours" });
    await schedule.getByLabel("Anchor Time").fill("01:15");
    const starts = schedule.getByRole("list", { name: "Next start times" }).getByRole("listitem");
    // The preview follows the fields (debounced, computed by the server).
    await expect.poll(async () => (await starts.allTextContents()).filter((t) => / (01|07|13|19):15:00 UTC$/.test(t)).length).toBe(5);

    await schedule.getByLabel("Run on a cron schedule").check();
    await schedule.getByLabel("Cron Expression").fill("0 61 * * * ?");
    await expect(schedule.getByText(/Not a valid cron expression: .*minute/i)).toBeVisible();
    await expect(schedule.getByLabel("Cron Expression")).toHaveAttribute("aria-invalid", "true");
    await page.screenshot({ path: `${SCREENS}/schedule-invalid-cron.png`, fullPage: true });
    // The server refuses it on save too.
    await schedule.getByRole("button", { name: "Save Schedule" }).click();
    await expect(schedule.getByText("Check the highlighted fields.")).toBeVisible();

    await schedule.getByLabel("Cron Expression").fill("0 30 2 ? * MON-FRI");
    await expect.poll(async () => (await starts.allTextContents()).filter((t) => /^(Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d 02:30:00 UTC$/.test(t)).length).toBe(5);
    await page.screenshot({ path: `${SCREENS}/schedule-cron-preview.png`, fullPage: true });
    await schedule.getByRole("button", { name: "Save Schedule" }).click();
    await expect(schedule.getByText(/Schedule saved\. Next start: (Mon|Tue|Wed|Thu|Fri) .* 02:30:00 UTC/)).toBeVisible();

    await page.reload();
    await expect(page.getByRole("region", { name: "Schedule" }).getByLabel("Cron Expression")).toHaveValue("0 30 2 ? * MON-FRI");
    await page.goto("/");
    await expect(page.getByRole("row").filter({ hasText: NAME })).toContainText(/Cron 0 30 2 \? \* MON-FRI/);
  });

  test("Run Extraction Now: the log streams live, the progress bar moves, the loading report fills", async ({ page }) => {
    await page.goto(`/integrations/${id}`);
    const box = page.getByRole("checkbox", { name: "public.e2e_big", exact: true });
    await expect(box).toBeVisible({ timeout: 60_000 });
    if (!(await box.isChecked())) {
      await box.check();
      await page.getByRole("group", { name: "Columns of public.e2e_big" }).getByRole("button", { name: "Table Settings" }).click();
      const dialog = page.getByRole("dialog", { name: /Table Settings/ });
      await dialog.getByLabel("Key-based Incremental").check();
      await dialog.getByLabel("Replication Key").selectOption("id");
      await dialog.getByRole("button", { name: "Update Settings" }).click();
      await expect(dialog).toBeHidden();
      await page.getByRole("button", { name: "Finalize Your Selections" }).click();
      await expect(page.getByText(/Selections finalized/)).toBeVisible();
    }

    await page.getByRole("button", { name: "Run Extraction Now" }).click();
    await expect(page.getByText("Extraction queued: follow it under Extraction Logs.")).toBeVisible();
    await page.getByRole("link", { name: "Extraction Logs" }).click();
    await expect(page.getByRole("link", { name: "Extraction Logs" })).toHaveAttribute("aria-current", "page");

    // Watch without reloading: count log lines and progress values until the job is done.
    const log = page.getByRole("log", { name: "Log lines" });
    const bar = page.getByRole("progressbar", { name: "Progress of public.e2e_big" });
    const status = page.getByTestId("job-status");
    const lineCounts: number[] = [];
    const progress: number[] = [];
    const statuses = new Set<string>();
    const deadline = Date.now() + 120_000;
    for (;;) {
      const s = (await status.textContent().catch(() => null)) ?? "";
      statuses.add(s);
      lineCounts.push(await log.getByRole("row").count());
      if (await bar.isVisible().catch(() => false)) progress.push(Number(await bar.getAttribute("aria-valuenow")));
      if (progress.length === 3) await page.screenshot({ path: `${SCREENS}/logs-running.png`, fullPage: true });
      if (s === "Succeeded" || s === "Failed" || Date.now() > deadline) break;
      await page.waitForTimeout(200);
    }
    expect(statuses.has("Running") || statuses.has("Queued")).toBe(true);
    expect([...statuses]).toContain("Succeeded");
    // New lines arrived while the page stayed open …
    expect(Math.max(...lineCounts)).toBeGreaterThan(Math.min(...lineCounts.filter((n) => n > 0)));
    // … and the bar went from part-way to full.
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
    expect(progress.at(-1)).toBe(100);
    await expect(log).toContainText("Job finished: succeeded");
    await expect(page.getByText(`${BIG_ROWS.toLocaleString("en-US")} rows loaded`)).toBeVisible();

    // Level filter and search run on the server.
    await page.getByLabel("INFO", { exact: true }).uncheck();
    await expect(log.getByRole("row").filter({ hasText: "INFO" })).toHaveCount(0);
    await page.getByLabel("INFO", { exact: true }).check();
    await page.getByLabel("Search the log").fill("job finished");
    // One line (the other row is the table's header).
    await expect(log.getByRole("row")).toHaveCount(2);
    await expect(log).toContainText("Job finished: succeeded");
    await page.getByLabel("Search the log").fill("");
    await expect(page.getByRole("figure", { name: "Jobs per day" })).toBeVisible();
    await page.screenshot({ path: `${SCREENS}/logs-finished.png`, fullPage: true });

    await page.getByRole("link", { name: "Loading Reports" }).click();
    const all = page.getByRole("table", { name: "All tables" });
    const row = all.getByRole("row").filter({ hasText: "public.e2e_big" });
    await expect(row).toContainText(BIG_ROWS.toLocaleString("en-US"));
    await expect(row).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    await expect(all.getByRole("columnheader", { name: "Max Replication Bookmark Value" })).toBeVisible();
    await expect(row).toContainText(String(BIG_ROWS));
    await page.getByRole("link", { name: "7 days" }).click();
    await expect(page.getByRole("link", { name: "7 days" })).toHaveAttribute("aria-current", "page");
    await expect(all.getByRole("row").filter({ hasText: "public.e2e_big" })).toContainText(BIG_ROWS.toLocaleString("en-US"));
    await page.screenshot({ path: `${SCREENS}/reports-all-tables.png`, fullPage: true });
    await all.getByRole("link", { name: "public.e2e_big" }).click();
    const perTable = page.getByRole("table", { name: "Loads of this table" });
    await expect(perTable.getByRole("row").nth(1)).toContainText("Succeeded");
    await expect(perTable.getByRole("row").nth(1)).toContainText(BIG_ROWS.toLocaleString("en-US"));
    await expect(page.getByRole("figure", { name: /Rows loaded over the last/ })).toBeVisible();
    await page.screenshot({ path: `${SCREENS}/reports-table.png`, fullPage: true });
  });

  test("Download the log as a text file", async ({ page }) => {
    await page.goto(`/integrations/${id}/logs`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^extraction-log-.*\.txt$/);
    const text = readFileSync((await download.path())!, "utf8");
    expect(text).toMatch(/^# Extraction log of job [0-9a-f-]{36}/);
    expect(text).toMatch(/\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z main INFO Job finished: succeeded/);
    expect(text).toMatch(/\n\S+ target INFO State update: /);
    expect(text).toContain(" tap ");
  });

  test("Stop Extraction ends a running job; Pause shows Paused on the dashboard without a reload", async ({ page, context }) => {
    // New rows after the bookmark make the next Key-based job long enough to stop half-way.
    const c = await demoAdmin();
    await c.query(`INSERT INTO public.e2e_big SELECT g, 'more ' || g FROM generate_series(${BIG_ROWS + 1}, ${2 * BIG_ROWS}) g`);
    await c.end();
    await page.goto(`/integrations/${id}`);
    await page.getByRole("button", { name: "Run Extraction Now" }).click();
    // Stop a job that is really running (a queued one would simply never start).
    await expect(page.getByText("Sync Status").getByText("Running")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole("button", { name: "Stop Extraction" })).toBeVisible();
    await page.getByRole("button", { name: "Stop Extraction" }).click();
    await expect(page.getByText(/Stopping: the job ends after its current batch/)).toBeVisible();
    await page.getByRole("link", { name: "Extraction Logs" }).click();
    await expect(page.getByTestId("job-status")).toHaveText("Stopped", { timeout: 60_000 });
    await expect(page.getByRole("log", { name: "Log lines" })).toContainText("Extraction stopped on request after its current step");
    await expect(page.getByRole("progressbar", { name: "Progress of public.e2e_big" })).toBeVisible();
    // The stopped load kept a bookmark part-way: what was committed before the stop.
    await page.getByRole("link", { name: "Loading Reports" }).click();
    await page.getByRole("table", { name: "All tables" }).getByRole("link", { name: "public.e2e_big" }).click();
    const latest = page.getByRole("table", { name: "Loads of this table" }).getByRole("row").nth(1);
    await expect(latest).toContainText("Stopped");
    const bookmark = Number((await latest.getByRole("cell").nth(2).textContent())?.trim());
    expect(bookmark).toBeGreaterThan(BIG_ROWS);
    expect(bookmark).toBeLessThan(2 * BIG_ROWS);
    await page.screenshot({ path: `${SCREENS}/reports-stopped.png`, fullPage: true });

    const dashboard = await context.newPage();
    await dashboard.goto("/");
    const row = dashboard.getByRole("row").filter({ hasText: NAME });
    await expect(row).not.toContainText("Paused");
    await page.getByRole("button", { name: "Pause Integration" }).click();
    await expect(page.getByRole("button", { name: "Unpause Integration" })).toBeVisible();
    await expect(row.getByText("Paused").first()).toBeVisible({ timeout: 10_000 });
    await dashboard.screenshot({ path: `${SCREENS}/dashboard-paused.png`, fullPage: true });
    await page.getByRole("button", { name: "Unpause Integration" }).click();
    await expect(page.getByRole("button", { name: "Pause Integration" })).toBeVisible();
    await expect(row).not.toContainText("Paused", { timeout: 10_000 });
    await expect(row).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  });
});
