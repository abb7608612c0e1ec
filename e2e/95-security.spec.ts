import { expect, test, type Page } from "@playwright/test";
import { networkInterfaces } from "node:os";
import { fillDemo, openForm, OWNER, signInAsOwner } from "./fixtures";

/** Collects what Chromium reports as CSP violations on a page (console and securitypolicyviolation). */
async function watchCsp(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|frame|connect)/i.test(m.text())) seen.push(`${page.url()}: ${m.text()}`);
  });
  await page.exposeFunction("__reportCsp", (v: string) => seen.push(`${page.url()}: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      void (window as unknown as { __reportCsp(v: string): void }).__reportCsp(`${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  return seen;
}

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

test.describe.serial("security: headers, sessions and the listening address", () => {
  test("pages carry a nonce-based CSP with frame-ancestors 'none', X-Frame-Options, nosniff and a referrer policy", async ({ page }) => {
    const violations = await watchCsp(page);
    const res = await page.goto("/sign-in");
    const headers = res!.headers();
    expect(headers["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
    expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
    expect(/script-src [^;]*/.exec(headers["content-security-policy"]!)?.[0]).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("same-origin");
    // A fresh nonce per response.
    const again = await page.request.get("/sign-in");
    expect(again.headers()["content-security-policy"]).not.toBe(headers["content-security-policy"]);
    expect(violations).toEqual([]);
  });

  test("the app works under the CSP: no violation on any page in Chromium", async ({ page }) => {
    // Many pages, and an integration to create when run alone: room for a busy machine.
    test.setTimeout(300_000);
    const violations = await watchCsp(page);
    await signInAsOwner(page);
    const integrationHref = () =>
      page.locator("a[href^='/integrations/']").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? "").find((h) => /^\/integrations\/[0-9a-f-]{36}$/.test(h)));
    if (!(await integrationHref())) {
      // Run alone (a fresh install): one integration, so that its pages can be visited too.
      await openForm(page, "PostgreSQL");
      await fillDemo(page, "Demo CSP");
      await page.getByRole("button", { name: "Check and Save" }).click();
      await expect(page).toHaveURL(/\/integrations\/[0-9a-f-]{36}$/, { timeout: 60_000 });
      await page.goto("/");
    }
    const integration = await integrationHref();
    expect(integration).toBeTruthy();
    const pages = ["/", "/integrations/new", "/integrations/new/postgres", "/destination", "/team", "/audit-log", "/account"];
    pages.push(integration!, `${integration}/settings`, `${integration}/logs`, `${integration}/reports`);
    for (const path of pages) {
      const r = await page.goto(path);
      expect(r!.status(), path).toBeLessThan(400);
      expect(r!.headers()["content-security-policy"], path).toMatch(/frame-ancestors 'none'/);
      // Hydrated: the client's scripts ran (a link click is handled by the router, not a reload).
      await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    }
    await page.getByRole("link", { name: "Team" }).first().click();
    await expect(page).toHaveURL(/\/team$/);
    expect(violations).toEqual([]);
  });

  test("a session cookie copied before sign-out no longer works after it", async ({ browser }) => {
    const a = await browser.newContext();
    const page = await a.newPage();
    await signInAsOwner(page);
    const copied = await a.cookies();
    expect(copied.some((c) => /next-auth\.session-token/.test(c.name))).toBe(true);
    const b = await browser.newContext();
    await b.addCookies(copied);
    const other = await b.newPage();
    await other.goto("/team");
    await expect(other.getByRole("navigation", { name: "Main" })).toBeVisible();

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await other.goto("/team");
    await expect(other).toHaveURL(/\/sign-in/);
    expect((await other.request.get("/api/dashboard")).status()).toBe(401);
    await Promise.all([a.close(), b.close()]);
  });

  test("the dashboard is not reachable on this machine's network addresses (HOST defaults to loopback)", async () => {
    const port = new URL(test.info().project.use.baseURL!).port;
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && i.family === "IPv4" && !i.internal)
      .map((i) => i!.address);
    expect(external.length, "a non-loopback IPv4 address to try").toBeGreaterThan(0);
    for (const address of external) {
      await expect(fetch(`http://${address}:${port}/sign-in`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
    }
    expect((await fetch(`http://127.0.0.1:${port}/sign-in`)).status).toBe(200);
  });
});

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
    // Five guesses per e-mail, whichever browser sends them: each browser alone sends only four, so a
    // refusal proves they share one count. (The exact parallel figure is test/integration/security-auth;
    // here a very slow machine may outlast the first 10 s lockout and get a sixth guess checked.)
    const wrong = all.filter((m) => m.startsWith("Wrong email or password")).length;
    const refused = all.filter((m) => m.startsWith("Too many failed sign-ins")).length;
    expect(wrong).toBeGreaterThanOrEqual(5);
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(wrong + refused).toBe(8);
    await Promise.all([a.close(), b.close()]);
  });
});
