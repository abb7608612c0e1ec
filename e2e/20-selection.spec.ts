import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { demoSource, OWNER, signInAsOwner } from "./fixtures";

const SCREENS = process.env.SCREENS_DIR ?? "test-results/screens";

/**
 * An integration on the demo source, made through the Add Integration form (Check and Save). Installs
 * without the form yet fall back to the lib function its action calls (createIntegration), test-only.
 */
async function ensureIntegration(page: Page, name: string, logBased: boolean): Promise<string> {
  await page.goto("/");
  const existing = page.getByRole("link", { name, exact: true });
  if (await existing.isVisible()) return integrationIdFrom(page, existing);
  const src = demoSource();
  const form = await page.goto("/integrations/new/postgres");
  if (form?.ok() && (await page.getByLabel("Integration Name").isVisible().catch(() => false))) {
    await page.getByLabel("Integration Name").fill(name);
    await page.getByLabel("Host (Endpoint)").fill(src.host);
    await page.getByLabel("Port", { exact: true }).fill(src.port);
    await page.getByLabel("Username").fill(src.user);
    await page.getByLabel("Password", { exact: true }).fill(src.password);
    await page.getByLabel("Database", { exact: true }).fill(src.database);
    const log = page.getByLabel("Log-based Replication");
    if ((await log.isChecked()) !== logBased) await log.click();
    await page.getByRole("button", { name: "Check and Save" }).click();
    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}/, { timeout: 60_000 });
  } else {
    await createThroughLib(name, logBased, src);
  }
  await page.goto("/");
  return integrationIdFrom(page, page.getByRole("link", { name, exact: true }));
}

async function integrationIdFrom(page: Page, link: ReturnType<Page["getByRole"]>): Promise<string> {
  const href = await link.getAttribute("href");
  const id = href?.split("/").pop();
  if (!id) throw new Error("integration link without id");
  return id;
}

async function createThroughLib(name: string, logBased: boolean, src: ReturnType<typeof demoSource>) {
  const dataDir = process.env.E2E_DATA_DIR ?? ".test-data/e2e";
  process.env.APP_SECRET ??= readFileSync(join(dataDir, "app-secret"), "utf8").trim();
  const superPassword = readFileSync(join(dataDir, "pg-superuser-password"), "utf8").trim();
  const { createDb } = await import("../db/client");
  const { memberships, users } = await import("../db/schema");
  const { eq } = await import("drizzle-orm");
  const { ZCreateIntegrationSchema } = await import("../lib/integrations/create-input");
  const { createIntegration } = await import("../lib/integrations/create-integration");
  const { db, pool } = createDb(`postgres://postgres:${encodeURIComponent(superPassword)}@127.0.0.1:${src.port}/app`, 2);
  try {
    const [m] = await db.select({ teamId: memberships.teamId, userId: users.id }).from(memberships).innerJoin(users, eq(users.id, memberships.userId)).where(eq(users.email, OWNER.email));
    if (!m) throw new Error("the owner has no team");
    const input = ZCreateIntegrationSchema.parse({ flavour: "postgres", name, host: src.host, port: src.port, username: src.user, password: src.password, database: src.database, logBased });
    const result = await createIntegration(db, { teamId: m.teamId, userId: m.userId, email: OWNER.email }, input);
    if (!result.saved) throw new Error(`could not save the integration: ${JSON.stringify(result.diagnosis)}`);
  } finally {
    await pool.end();
  }
}

const tableBox = (page: Page, label: string) => page.getByRole("checkbox", { name: label, exact: true });
const tableRow = (page: Page, label: string) => page.getByRole("listitem").filter({ has: tableBox(page, label) });
const columns = (page: Page, label: string) => page.getByRole("group", { name: `Columns of ${label}` });
const columnBox = (page: Page, label: string, column: string) => columns(page, label).getByRole("checkbox", { name: column, exact: true });

async function openTab(page: Page, id: string) {
  await page.goto(`/integrations/${id}`);
  await expect(page.getByRole("link", { name: "Tables to Replicate" })).toHaveAttribute("aria-current", "page");
  // The first visit discovers the source; later visits show the stored catalog.
  await expect(tableBox(page, "public.customers")).toBeVisible({ timeout: 60_000 });
}

test.describe.serial("Tables to Replicate", () => {
  let logId = "";
  let logBasedOffered = true;
  let fullId = "";

  test.beforeEach(async ({ page }) => {
    await signInAsOwner(page);
  });

  test("discovery lists the demo source; track two tables, deselect a column, set Key-based with a key, finalize", async ({ page }) => {
    logId = await ensureIntegration(page, "Selection Demo", true);
    await openTab(page, logId);
    await expect(page.getByRole("navigation", { name: "Databases and schemas" }).getByRole("button", { name: /^demo/ })).toBeVisible();
    // Kinds as discovered: the partitioned parent (not its partitions) and the view.
    await expect(tableRow(page, "public.page_views")).toContainText("partitioned");
    await expect(tableBox(page, "public.page_views_2025")).toHaveCount(0);
    await expect(tableRow(page, "public.customer_order_totals")).toContainText("view");

    await tableBox(page, "public.customers").check();
    await expect(columns(page, "public.customers")).toBeVisible();
    await expect(columnBox(page, "public.customers", "profile")).toBeChecked();
    await expect(columnBox(page, "public.customers", "id")).toBeChecked();
    await expect(columnBox(page, "public.customers", "id")).toBeDisabled();
    await columnBox(page, "public.customers", "profile").uncheck();
    await expect(columnBox(page, "public.customers", "profile")).not.toBeChecked();

    await tableBox(page, "public.orders").check();
    await columns(page, "public.orders").getByRole("button", { name: "Table Settings" }).click();
    const dialog = page.getByRole("dialog", { name: /Table Settings/ });
    // The integration's default (log-based) is preselected, unless its prerequisites failed on this source
    // (the demo user may lack REPLICATION): then it is not offered, the reason is shown, Full Table is used.
    if (await dialog.getByLabel("Log-based Incremental").isEnabled()) {
      await expect(dialog.getByLabel("Log-based Incremental")).toBeChecked();
      await expect(tableRow(page, "public.orders")).toContainText("Log-based Incremental");
    } else {
      await expect(dialog.getByText(/Log-based Incremental is unavailable: /)).toBeVisible();
      await expect(dialog.getByLabel("Full Table")).toBeChecked();
      await expect(tableRow(page, "public.orders")).toContainText("Full Table");
    }
    logBasedOffered = await dialog.getByLabel("Log-based Incremental").isEnabled();
    await dialog.getByLabel("Key-based Incremental").check();
    // Only orderable columns are offered as the key.
    const keyOptions = await dialog.getByLabel("Replication Key").locator("option").allTextContents();
    expect(keyOptions.join("|")).toContain("updated_at");
    expect(keyOptions.join("|")).not.toContain("shipping_address");
    expect(keyOptions.join("|")).not.toContain("status");
    await dialog.getByLabel("Replication Key").selectOption("updated_at");
    await page.screenshot({ path: `${SCREENS}/selection-table-settings.png`, fullPage: true });
    await dialog.getByRole("button", { name: "Update Settings" }).click();
    await expect(dialog).toBeHidden();
    await expect(tableRow(page, "public.orders")).toContainText("Key-based Incremental");
    await expect(tableRow(page, "public.orders")).toContainText("key: updated_at");
    await expect(page.getByText("2 tables with pending changes")).toBeVisible();
    await page.screenshot({ path: `${SCREENS}/selection-pending.png`, fullPage: true });

    await page.getByRole("button", { name: "Finalize Your Selections" }).click();
    await expect(page.getByText(/Selections finalized \(2 tables\)/)).toBeVisible();
    await expect(page.getByText("No pending changes")).toBeVisible();

    await page.reload();
    await expect(tableBox(page, "public.customers")).toBeChecked();
    await expect(tableBox(page, "public.orders")).toBeChecked();
    await expect(tableBox(page, "public.products")).not.toBeChecked();
    await expect(tableRow(page, "public.orders")).toContainText("Key-based Incremental");
    await tableRow(page, "public.customers").getByRole("button", { name: /customers/ }).click();
    await expect(columnBox(page, "public.customers", "profile")).not.toBeChecked();
    await expect(columnBox(page, "public.customers", "email")).toBeChecked();
  });

  test("views cannot be log-based; search runs on the server", async ({ page }) => {
    await openTab(page, logId);
    await tableBox(page, "public.customer_order_totals").check();
    await columns(page, "public.customer_order_totals").getByRole("button", { name: "Table Settings" }).click();
    const dialog = page.getByRole("dialog", { name: /Table Settings/ });
    await expect(dialog.getByLabel("Log-based Incremental")).toBeDisabled();
    await expect(dialog.getByText(/not available for views/)).toBeVisible();
    await expect(dialog.getByLabel("Full Table")).toBeChecked();
    await expect(dialog.getByRole("group", { name: "View Key Columns" })).toBeVisible();
    await dialog.getByRole("group", { name: "View Key Columns" }).getByLabel("customer_id").check();
    await dialog.getByRole("button", { name: "Update Settings" }).click();
    await expect(dialog).toBeHidden();

    await page.getByLabel("Search tables").fill("order");
    await expect(page.getByText(/Showing 1–3 of 3/)).toBeVisible();
    await expect(tableBox(page, "public.orders")).toBeVisible();
    await expect(tableBox(page, "public.order_items")).toBeVisible();
    await expect(tableBox(page, "public.customers")).toHaveCount(0);
    await page.getByLabel("Search tables").fill("no such table here");
    await expect(page.getByText("No table matches “no such table here”.")).toBeVisible();
    await page.getByLabel("Search tables").fill("");
    // Leave nothing pending for the next test.
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByText("No pending changes")).toBeVisible();
    await expect(tableBox(page, "public.customer_order_totals")).not.toBeChecked();
  });

  test("pending changes are undone exactly by Cancel", async ({ page }) => {
    await openTab(page, logId);
    await tableBox(page, "public.customers").uncheck();
    await tableBox(page, "public.products").check();
    await columnBox(page, "public.products", "description").uncheck();
    await tableRow(page, "public.orders").getByRole("button", { name: /orders/ }).click();
    await columns(page, "public.orders").getByRole("button", { name: "Reset Keys" }).click();
    const confirm = page.getByRole("dialog", { name: /Reset keys of public.orders/ });
    await expect(confirm).toContainText("drops this table's replication bookmark");
    await confirm.getByRole("button", { name: "Reset Keys" }).click();
    await expect(tableRow(page, "public.orders")).toContainText("reset pending");
    await expect(page.getByText("3 tables with pending changes")).toBeVisible();

    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByText("No pending changes")).toBeVisible();
    await expect(tableBox(page, "public.customers")).toBeChecked();
    await expect(tableBox(page, "public.products")).not.toBeChecked();
    await expect(tableRow(page, "public.orders")).not.toContainText("reset pending");
    await expect(tableRow(page, "public.orders")).toContainText("Key-based Incremental");
    await page.reload();
    await tableRow(page, "public.customers").getByRole("button", { name: /customers/ }).click();
    await expect(columnBox(page, "public.customers", "profile")).not.toBeChecked();
    await expect(columnBox(page, "public.customers", "full_name")).toBeChecked();
  });

  test("Track All Tables and Fields (Except Views) while log-based is the default; Cancel restores", async ({ page }) => {
    await openTab(page, logId);
    await page.getByRole("button", { name: "Track All Tables and Fields (Except Views)" }).click();
    await expect(page.getByText(/tables tracked with all their fields/)).toBeVisible();
    for (const t of ["public.products", "public.events", "public.page_views", "public.order_items", "public.customers"]) await expect(tableBox(page, t)).toBeChecked();
    await expect(tableBox(page, "public.customer_order_totals")).not.toBeChecked();
    // A method a table already had is kept; pending column choices are overwritten (all fields).
    await expect(tableRow(page, "public.orders")).toContainText("Key-based Incremental");
    await expect(tableRow(page, "public.products")).toContainText(logBasedOffered ? "Log-based Incremental" : "Full Table");
    await tableRow(page, "public.customers").getByRole("button", { name: /customers/ }).click();
    await expect(columnBox(page, "public.customers", "profile")).toBeChecked();
    await page.screenshot({ path: `${SCREENS}/selection-track-all.png`, fullPage: true });

    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByText("No pending changes")).toBeVisible();
    await expect(tableBox(page, "public.products")).not.toBeChecked();
    await expect(tableBox(page, "public.customers")).toBeChecked();
    await expect(columnBox(page, "public.customers", "profile")).not.toBeChecked();
  });

  test("no Track All when log-based is not the integration's default", async ({ page }) => {
    fullId = await ensureIntegration(page, "Selection Full Table", false);
    await openTab(page, fullId);
    await expect(page.getByRole("button", { name: "Finalize Your Selections" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Track All Tables and Fields (Except Views)" })).toHaveCount(0);
    await tableBox(page, "public.events").check();
    await expect(tableRow(page, "public.events")).toContainText("Full Table");
    await page.screenshot({ path: `${SCREENS}/selection-full-table-default.png`, fullPage: true });
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(tableBox(page, "public.events")).not.toBeChecked();
  });
});
