import { expect, test } from "@playwright/test";
import { OWNER, setupLink, signIn } from "./fixtures";

test.describe.serial("foundation: sign-up, sign-in, guarded pages", () => {
  test("a signed-out visit to the dashboard lands on sign-in, which offers to create the first account", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in/);
    await expect(page.getByText("This is a fresh install.")).toBeVisible();
  });

  test("on a fresh start the first account needs the printed setup link: without it, or with a wrong one, no form", async ({ page }) => {
    await page.goto("/sign-up");
    await expect(page.getByRole("heading", { name: "Create your team" })).toBeVisible();
    await expect(page.getByText("The first account needs the setup link that `npm start` printed")).toBeVisible();
    await expect(page.getByRole("button", { name: "Create account" })).toHaveCount(0);
    const link = new URL(await setupLink());
    await page.goto(`/sign-up?setup=${link.searchParams.get("setup")!.slice(1)}x`);
    await expect(page.getByText("This setup link is not valid")).toBeVisible();
    await expect(page.getByRole("button", { name: "Create account" })).toHaveCount(0);
  });

  test("sign-up shows clear messages for a malformed email and a weak password", async ({ page }) => {
    await page.goto(await setupLink());
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByText("Enter a valid email address, like name@example.com")).toBeVisible();
    await expect(page.getByText("Use at least 10 characters")).toBeVisible();
  });

  test("the first sign-up creates the team and lands on the dashboard with Add Integration", async ({ page }) => {
    await page.goto(await setupLink());
    await expect(page.getByRole("heading", { name: "Create your team" })).toBeVisible();
    await page.getByLabel("Name").fill(OWNER.name);
    await page.getByLabel("Email").fill(OWNER.email);
    await page.getByLabel("Password").fill(OWNER.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("link", { name: "Add Integration" })).toBeVisible();
    await expect(page.getByText(`${OWNER.email} · Owner`)).toBeVisible();
    await page.screenshot({ path: "test-results/screens/dashboard-empty.png", fullPage: true });
    // Used once: the same link now opens the ordinary sign-up, which needs an invitation.
    await page.context().clearCookies();
    await page.goto(await setupLink());
    await expect(page.getByText("Joining a team needs an invitation link")).toBeVisible();
  });

  test("sign out, then sign in: wrong password and unknown email are told apart", async ({ page }) => {
    await signIn(page, OWNER);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in/);

    await page.getByLabel("Email").fill("nobody@example.com");
    await page.getByLabel("Password").fill("whatever-123");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText("Wrong email or password")).toBeVisible();

    await page.getByLabel("Email").fill(OWNER.email);
    await page.getByLabel("Password").fill("wrong-password-9");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText("Wrong email or password")).toBeVisible();

    await page.getByLabel("Password").fill(OWNER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("link", { name: "Add Integration" })).toBeVisible();
    await page.screenshot({ path: "test-results/screens/sign-in-ok.png" });
  });

  test("a second sign-up without an invitation is refused with a clear message", async ({ page }) => {
    await page.goto("/sign-up");
    await expect(page.getByText("Joining a team needs an invitation link")).toBeVisible();
    await page.getByLabel("Email").fill("second@example.com");
    await page.getByLabel("Password").fill("second-password-2");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByText("Sign-up needs an invitation. Ask a team admin for an invitation link.")).toBeVisible();
  });
});
