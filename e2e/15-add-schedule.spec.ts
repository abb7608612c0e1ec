import { expect, test } from "@playwright/test";
import { fillDemo, openForm, signInAsOwner } from "./fixtures";

test.describe.serial("Add Integration: the schedule is chosen on the connection form", () => {
  test.beforeEach(async ({ page }) => {
    await signInAsOwner(page);
  });

  test("an invalid cron is a field error and nothing is saved; a valid one is saved with the integration", async ({ page }) => {
    await openForm(page, "PostgreSQL");
    await fillDemo(page, "Cron From Form");
    await page.getByLabel("Run on a cron schedule").check();
    await page.getByLabel("Cron Expression").fill("0 61 * * * ?");
    await page.getByRole("button", { name: "Check and Save" }).click();
    await expect(page.getByText(/Not a valid cron expression: .*minute/i).first()).toBeVisible();
    await expect(page).toHaveURL(/\/integrations\/new\/postgres$/);

    await page.getByLabel("Cron Expression").fill("0 15 3 ? * MON-FRI");
    await expect(page.getByRole("list", { name: "Next start times" }).getByRole("listitem")).toHaveCount(5);
    await page.getByRole("button", { name: "Check and Save" }).click();
    await expect(page).toHaveURL(/\/integrations\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    await page.getByRole("link", { name: "Settings" }).click();
    const schedule = page.getByRole("region", { name: "Schedule" });
    await expect(schedule.getByLabel("Run on a cron schedule")).toBeChecked();
    await expect(schedule.getByLabel("Cron Expression")).toHaveValue("0 15 3 ? * MON-FRI");
    await page.screenshot({ path: "test-results/screens/add-with-cron.png", fullPage: true });
  });
});
