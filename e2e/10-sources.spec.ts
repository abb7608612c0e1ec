import { expect, test, type Page } from "@playwright/test";
import { fillDemo, openForm, signInAsOwner } from "./fixtures";

const SHOTS = "test-results/screens";

function step(page: Page, label: string) {
  return page.getByRole("region", { name: "Connection check" }).getByRole("listitem").filter({ hasText: label });
}

test.describe.serial("Add Integration: PostgreSQL source, Check and Save, prerequisite report", () => {
  test.beforeEach(async ({ page, context }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await signInAsOwner(page);
  });

  test("the picker offers PostgreSQL and Amazon PostgreSQL RDS; the form has the labelled fields with their defaults", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("link", { name: "Add Integration" }).click();
    await expect(page.getByRole("link", { name: /PostgreSQL/ }).filter({ hasNotText: "Amazon" })).toBeVisible();
    await expect(page.getByRole("link", { name: /Amazon PostgreSQL RDS/ })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/sources-picker.png`, fullPage: true });
    await openForm(page, "PostgreSQL");
    for (const label of ["Integration Name", "Host (Endpoint)", "Username", "Password", "Database", "Include PostgreSQL schema names in destination tables", "SSH Tunnel", "Connect using SSL", "Log-based Replication"]) {
      await expect(page.getByLabel(label, { exact: true })).toBeVisible();
    }
    await expect(page.getByLabel("Port", { exact: true })).toHaveValue("5432");
    await expect(page.getByLabel("Log-based Replication")).toBeChecked();
    await page.getByLabel("Integration Name").fill("Stitch PostgreSQL");
    await expect(page.getByTestId("schema-preview")).toHaveText("stitch_postgresql");

    await page.getByLabel("SSH Tunnel").check();
    await expect(page.getByLabel("SSH Port")).toHaveValue("22");
    await expect(page.getByLabel("SSH Host")).toBeVisible();
    await expect(page.getByLabel("SSH User")).toBeVisible();
    await expect(page.getByTestId("ssh-public-key")).toContainText(/^ssh-ed25519 AAAA/);
    await page.getByLabel("SSH User").fill("stitch");
    await expect(page.getByText("adduser --disabled-password stitch")).toBeVisible();
    await page.getByLabel("Connect using SSL").check();
    await expect(page.getByLabel("SSL Mode")).toHaveValue("require");
    await expect(page.getByLabel("CA Certificate")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/sources-form-ssh-ssl.png`, fullPage: true });
  });

  test("bad input gets a message next to each field, and nothing is saved", async ({ page }) => {
    await openForm(page, "PostgreSQL");
    await page.getByLabel("Integration Name").fill("Bad input");
    await page.getByLabel("Host (Endpoint)").fill("postgres://db.example.com");
    await page.getByLabel("Port", { exact: true }).fill("70000");
    await page.getByLabel("Connect using SSL").check();
    await page.getByLabel("SSL Mode").selectOption("verify-ca");
    await page.getByLabel("CA Certificate").fill("not a certificate");
    await page.getByRole("button", { name: "Check and Save" }).click();
    await expect(page.getByText("Enter the host without a scheme")).toBeVisible();
    await expect(page.getByText("The port must be between 1 and 65535")).toBeVisible();
    await expect(page.getByText("Enter the username")).toBeVisible();
    await expect(page.getByText("Paste a PEM certificate")).toBeVisible();
    await expect(page.getByLabel("Host (Endpoint)")).toHaveAttribute("aria-invalid", "true");
    await page.screenshot({ path: `${SHOTS}/sources-form-errors.png`, fullPage: true });
    await page.goto("/");
    await expect(page.getByRole("link", { name: "Bad input" })).toHaveCount(0);
  });

  test("a wrong password shows the authentication step failing", async ({ page }) => {
    await openForm(page, "PostgreSQL");
    await fillDemo(page, "Demo wrong password", { password: "not-the-password" });
    await page.getByRole("button", { name: "Check and Save" }).click();
    await expect(step(page, "Authentication")).toHaveAttribute("data-status", "fail");
    await expect(step(page, "Authentication")).toContainText('password authentication failed for user "demo_replicator"');
    await expect(step(page, "TCP connection")).toHaveAttribute("data-status", "pass");
    await expect(page.getByText("Nothing was saved")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/sources-auth-failed.png`, fullPage: true });
  });

  test("SSL to a server without SSL shows the TLS step failing", async ({ page }) => {
    await openForm(page, "PostgreSQL");
    await fillDemo(page, "Demo over SSL");
    await page.getByLabel("Connect using SSL").check();
    await page.getByRole("button", { name: "Check and Save" }).click();
    await expect(step(page, "TLS (SSL)")).toHaveAttribute("data-status", "fail");
    await expect(step(page, "TLS (SSL)")).toContainText("does not support SSL");
    await expect(step(page, "Authentication")).toHaveAttribute("data-status", "not_run");
  });

  test("the demo source saves, opens the integration, and Settings shows the report with a copyable fix and the slot button", async ({ page }) => {
    await openForm(page, "PostgreSQL");
    await fillDemo(page, "Demo Shop");
    await page.getByRole("button", { name: "Check and Save" }).click();
    await expect(page).toHaveURL(/\/integrations\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    await expect(page.getByRole("heading", { name: "Demo Shop" })).toBeVisible();
    await page.getByRole("link", { name: "Settings" }).click();
    const report = page.getByRole("region", { name: "Prerequisite report" });
    await expect(report).toBeVisible();
    const slot = report.locator('[data-check="slot"]');
    await expect(slot).toHaveAttribute("data-status", "fail");
    await expect(slot).toContainText("stitch_demo");
    await expect(report.locator('[data-check="wal_level"]')).toHaveAttribute("data-status", "pass");
    await expect(report.locator('[data-check="replication_privilege"]')).toHaveAttribute("data-status", "pass");
    await page.screenshot({ path: `${SHOTS}/sources-report.png`, fullPage: true });

    await slot.getByRole("button", { name: "Copy fix for Replication slot" }).click();
    await expect(slot.getByRole("button", { name: "Copied" })).toBeVisible();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain("SELECT * FROM pg_create_logical_replication_slot('stitch_demo', 'wal2json');");

    // The demo has no wal2json but a publication named stitch_demo: create the slot with pgoutput.
    await slot.getByRole("button", { name: "Create slot with pgoutput" }).click();
    await expect(slot).toHaveAttribute("data-status", "pass", { timeout: 30_000 });
    await expect(report.locator('[data-check="publication"]')).toHaveAttribute("data-status", "pass");
    await expect(report.locator('[data-check="peek"]')).toHaveAttribute("data-status", "pass");
    await expect(report.getByText("Log-based Replication is", { exact: false })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/sources-report-slot.png`, fullPage: true });
  });

  test("Settings: editing re-runs the checks — a wrong password is refused, the saved one kept; the schema name cannot be taken twice", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("link", { name: "Demo Shop" }).click();
    await page.getByRole("link", { name: "Settings" }).click();
    const form = page.getByRole("form", { name: "Edit connection settings" });
    await expect(form.getByLabel("Host (Endpoint)")).toHaveValue("127.0.0.1");
    await expect(form.getByLabel("Password")).toHaveValue("");
    await form.getByLabel("Password").fill("wrong-one");
    await form.getByRole("button", { name: "Check and Save" }).click();
    await expect(step(page, "Authentication")).toHaveAttribute("data-status", "fail");
    await form.getByLabel("Password").fill("");
    await form.getByLabel("Log-based Replication").uncheck();
    await form.getByRole("button", { name: "Check and Save" }).click();
    await expect(page.getByText("Success! The settings are saved.")).toBeVisible({ timeout: 30_000 });
    await page.reload();
    await expect(page.getByRole("form", { name: "Edit connection settings" }).getByLabel("Log-based Replication")).not.toBeChecked();

    await openForm(page, "Amazon PostgreSQL RDS");
    await fillDemo(page, "demo shop!");
    await page.getByRole("button", { name: "Check and Save" }).click();
    await expect(page.getByText(/already uses the destination schema demo_shop/)).toBeVisible();
  });
});
