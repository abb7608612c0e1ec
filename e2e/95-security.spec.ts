import { expect, test, type Page } from "@playwright/test";
import { OWNER, signInAsOwner } from "./fixtures";

/** Submits the sign-in form with a wrong password and returns the message shown. */
async function wrongSignIn(page: Page): Promise<string> {
  await page.goto("/sign-in"); // a fresh form: no message from the previous attempt
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill("not-the-password-7");
  await page.getByRole("button", { name: "Sign in" }).click();
  const message = page.getByText(/Wrong email or password|Too many failed sign-ins/);
  await expect(message).toBeVisible();
  return (await message.textContent()) ?? "";
}

test.describe.serial("security: redirects and sign-in throttling in the browser", () => {
  test("a callbackUrl that resolves off-site lands on the dashboard instead", async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInAsOwner(page);
    await context.clearCookies();
    await page.goto("/sign-in?callbackUrl=" + encodeURIComponent("/\\evil.example/phish"));
    await page.getByLabel("Email").fill(OWNER.email);
    await page.getByLabel("Password").fill(OWNER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    expect(new URL(page.url()).host).toBe(new URL(test.info().project.use.baseURL!).host);
    await context.close();
  });

  test("wrong passwords from two browser contexts at once share one throttle", async ({ browser }) => {
    const [a, b] = await Promise.all([browser.newContext(), browser.newContext()]);
    const [pa, pb] = await Promise.all([a.newPage(), b.newPage()]);
    const burst = async (page: Page) => {
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) seen.push(await wrongSignIn(page));
      return seen;
    };
    const [sa, sb] = await Promise.all([burst(pa), burst(pb)]);
    const all = [...sa, ...sb];
    // Five guesses per e-mail, whichever browser sends them: the other three are refused unchecked.
    expect(all.filter((m) => m.startsWith("Wrong email or password"))).toHaveLength(5);
    expect(all.filter((m) => m.startsWith("Too many failed sign-ins"))).toHaveLength(3);
    await Promise.all([a.close(), b.close()]);
  });
});
