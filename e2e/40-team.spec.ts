import { expect, test, type Browser, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { encryptSecret } from "@/lib/crypto/secrets";
import { demoSource, OWNER, signInAsOwner } from "./fixtures";

/**
 * Flow 12, the team admin console: the Owner invites a Viewer, who joins through the link, can read
 * but not edit (a forced edit request is refused on the server), is promoted to Member and can edit;
 * the audit log lists all of it; a used or expired link is refused with a clear message.
 */

const dataDir = process.env.E2E_DATA_DIR ?? ".test-data/e2e";
const VIEWER = { name: "Vic Viewer", email: "vic.viewer@example.com", password: "viewer-password-1" };
const INTEGRATION_NAME = "Team Console Demo";
const SCREENS = process.env.E2E_SCREENS_DIR ?? "test-results/screens";
const FORGED_ADDRESS = "203.0.113.66";

function appDbUrl(): string {
  const pw = readFileSync(join(dataDir, "pg-superuser-password"), "utf8").trim();
  return `postgres://postgres:${encodeURIComponent(pw)}@127.0.0.1:${process.env.E2E_PG_PORT ?? 54410}/app`;
}

async function withAppDb<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: appDbUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * Given: the team has an integration on the demo source (its password sealed as the app seals it),
 * paused so the scheduler leaves it alone and later specs see no extra jobs.
 */
async function ensureIntegration(): Promise<string> {
  const appSecret = readFileSync(join(dataDir, "app-secret"), "utf8").trim();
  const src = demoSource();
  return withAppDb(async (c) => {
    const found = await c.query<{ id: string }>("SELECT id FROM integrations WHERE name = $1", [INTEGRATION_NAME]);
    if (found.rows[0]) return found.rows[0].id;
    const { rows } = await c.query<{ id: string }>(
      `INSERT INTO integrations (team_id, name, schema_name, host, port, username, password_enc, database, paused)
       SELECT m.team_id, $1, 'team_console_demo', $2, $3, $4, $5, $6, true FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $7
       RETURNING id`,
      [INTEGRATION_NAME, src.host, Number(src.port), src.user, encryptSecret(src.password, appSecret), src.database, OWNER.email],
    );
    return rows[0]!.id;
  });
}

/** Makes an invitation link through the Team page and returns it. */
async function inviteThroughUi(page: Page, role: "Viewer" | "Member"): Promise<string> {
  await page.goto("/team");
  await page.getByRole("button", { name: "Invite Member" }).click();
  await page.getByLabel("Role", { exact: true }).selectOption({ label: role });
  await page.getByRole("button", { name: "Create Invitation Link" }).click();
  const link = page.getByLabel("Invitation link");
  await expect(link).toHaveValue(/\/sign-up\?invite=/);
  return link.inputValue();
}

/** A dead link says why as soon as the page opens, and offers no form to fill. */
async function openDeadLink(browser: Browser, link: string, message: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await expect(page.getByText(message)).toBeVisible();
  await expect(page.getByRole("button", { name: "Create account" })).toHaveCount(0);
  return { context, page };
}

async function signUpThroughLink(browser: Browser, link: string, who: { name: string; email: string; password: string }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await expect(page.getByText(/You were invited to join a team as (Viewer|Member|Admin|Owner)\./)).toBeVisible();
  await page.getByLabel("Name").fill(who.name);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Create account" }).click();
  return { context, page };
}

/**
 * The id Next gave a server action, read from the JavaScript the current page loaded (the browser has
 * it; a user bypassing the UI can read it too).
 */
async function serverActionId(page: Page, exportName: string): Promise<string> {
  const id = await page.evaluate(async (name) => {
    const urls = performance
      .getEntriesByType("resource")
      .map((e) => e.name)
      .filter((u) => u.includes("/_next/static/") && u.endsWith(".js"));
    // createServerReference)("<id>",callServer,void 0,findSourceMapURL,"<export name>"): no quote in between.
    const pattern = new RegExp(`createServerReference\\)?\\("([0-9a-f]{40,})"[^"]{0,200}"${name}"\\)`);
    for (const url of urls) {
      const match = pattern.exec(await (await fetch(url)).text());
      if (match) return match[1];
    }
    return null;
  }, exportName);
  if (!id) throw new Error(`server action ${exportName} not found in the page's scripts`);
  return id;
}

/** Posts straight to a server action, as a crafted request would, and returns the raw response text. */
async function forceAction(page: Page, actionId: string, args: unknown[]): Promise<string> {
  return page.evaluate(
    async ({ actionId, args }) => {
      const res = await fetch(location.pathname, {
        method: "POST",
        headers: { "Next-Action": actionId, Accept: "text/x-component", "Content-Type": "text/plain;charset=UTF-8" },
        body: JSON.stringify(args),
      });
      return res.text();
    },
    { actionId, args },
  );
}

test.describe.serial("team admin console", () => {
  let integrationId = "";
  let viewerLink = "";

  test("the Owner invites a Viewer with a one-time link, shown once", async ({ page }) => {
    await signInAsOwner(page);
    integrationId = await ensureIntegration();
    await page.goto("/team");
    await expect(page.getByRole("heading", { name: "Team" })).toBeVisible();
    await expect(page.getByRole("row", { name: new RegExp(OWNER.email) })).toContainText("Owner");
    viewerLink = await inviteThroughUi(page, "Viewer");
    expect(new URL(viewerLink).pathname).toBe("/sign-up");
    await expect(page.getByText("It is shown only now")).toBeVisible();
    await page.screenshot({ path: `${SCREENS}/team-invite-link.png`, fullPage: true });
    // Shown once: after a reload the page lists the invitation, but not its link.
    await page.reload();
    await expect(page.getByRole("button", { name: /Revoke Viewer invitation/ })).toHaveCount(1);
    expect(await page.content()).not.toContain(new URL(viewerLink).searchParams.get("invite")!);
  });

  test("the Viewer joins through the link, reads integrations without edit controls, and a forced edit is refused", async ({ browser, page }) => {
    const viewer = await signUpThroughLink(browser, viewerLink, VIEWER);
    const v = viewer.page;
    await expect(v.getByText(`${VIEWER.email} · Viewer`)).toBeVisible();
    await expect(v.getByRole("link", { name: INTEGRATION_NAME })).toBeVisible();
    await expect(v.getByRole("link", { name: "Add Integration" })).toHaveCount(0);
    await v.goto("/team");
    await expect(v.getByRole("row", { name: new RegExp(VIEWER.email) })).toContainText("Viewer");
    await expect(v.getByRole("button", { name: "Invite Member" })).toHaveCount(0);
    await expect(v.getByRole("button", { name: /^Remove / })).toHaveCount(0);
    await expect(v.getByRole("combobox")).toHaveCount(0);
    await v.screenshot({ path: `${SCREENS}/team-as-viewer.png`, fullPage: true });

    await v.goto(`/integrations/${integrationId}`);
    await expect(v.getByRole("heading", { name: INTEGRATION_NAME })).toBeVisible();
    await v.screenshot({ path: `${SCREENS}/integration-as-viewer.png`, fullPage: true });

    // A crafted request to the Owner's role-change action, promoting themselves: refused on the server.
    await signInAsOwner(page);
    await page.goto("/team");
    const changeRole = await serverActionId(page, "changeMemberRoleAction");
    await v.goto("/team");
    const viewerId = await withAppDb(async (c) => (await c.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [VIEWER.email])).rows[0]!.id);
    const forced = await forceAction(v, changeRole, [{ userId: viewerId, role: "admin" }]);
    expect(forced).toContain("Your role (Viewer) cannot do this; it needs Admin or higher.");
    // A crafted integration edit (re-run discovery): refused too.
    await v.goto(`/integrations/${integrationId}`);
    const refresh = await serverActionId(v, "refreshCatalogAction");
    expect(await forceAction(v, refresh, [{ integrationId }])).toContain("Your role (Viewer) cannot do this; it needs Member or higher.");
    await v.reload();
    await expect(v.getByText(`${VIEWER.email} · Viewer`)).toBeVisible();
    await viewer.context.close();
  });

  test("the Owner promotes the Viewer to Member, who can then edit", async ({ browser, page }) => {
    await signInAsOwner(page);
    await page.goto("/team");
    await page.getByLabel(`Role for ${VIEWER.email}`).selectOption({ label: "Member" });
    await expect(page.getByText(`${VIEWER.email} is now Member.`)).toBeVisible();
    await page.screenshot({ path: `${SCREENS}/team-promoted.png`, fullPage: true });

    // This browser claims another address: the audit log must record the one the server saw.
    const context = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": FORGED_ADDRESS } });
    const m = await context.newPage();
    await m.goto("/sign-in");
    await m.getByLabel("Email").fill(VIEWER.email);
    await m.getByLabel("Password").fill(VIEWER.password);
    await m.getByRole("button", { name: "Sign in" }).click();
    await expect(m.getByText(`${VIEWER.email} · Member`)).toBeVisible();
    await expect(m.getByRole("link", { name: "Add Integration" })).toBeVisible();
    await m.goto(`/integrations/${integrationId}`);
    const refresh = await serverActionId(m, "refreshCatalogAction");
    const res = await forceAction(m, refresh, [{ integrationId }]);
    expect(res).toContain('"ok":true');
    await context.close();
  });

  test("the audit log lists the invitation, the join, the promotion and the Member's edit, filterable", async ({ page }) => {
    await signInAsOwner(page);
    await page.goto("/audit-log");
    await expect(page.getByRole("heading", { name: "Audit Log" })).toBeVisible();
    const rows = page.getByRole("row");
    await expect(rows.filter({ hasText: "Created an invitation link" }).filter({ hasText: OWNER.email }).first()).toBeVisible();
    await expect(rows.filter({ hasText: "Joined the team" }).filter({ hasText: VIEWER.email })).toHaveCount(1);
    const promotion = rows.filter({ hasText: "Changed a member's role" }).filter({ hasText: OWNER.email });
    await expect(promotion).toHaveCount(1);
    for (const part of [`email: ${VIEWER.email}`, "from: viewer", "to: member"]) await expect(promotion).toContainText(part);
    // The Member's edit (the page may also have run discovery on its own when it opened).
    const memberEdit = rows.filter({ hasText: "catalog.refresh" }).filter({ hasText: VIEWER.email }).first();
    await expect(memberEdit).toBeVisible();
    // Where each change came from: the browser's address as the server saw it, not what the browser claimed.
    await expect(promotion.getByRole("cell").last()).toHaveText(/^(127\.0\.0\.1|::1)$/);
    await expect(memberEdit.getByRole("cell").last()).toHaveText(/^(127\.0\.0\.1|::1)$/);
    await expect(page.getByText(FORGED_ADDRESS)).toHaveCount(0);
    await page.screenshot({ path: `${SCREENS}/audit-log.png`, fullPage: true });

    await page.getByLabel("Who").fill("vic.viewer");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/actor=vic\.viewer/);
    await expect(rows.filter({ hasText: OWNER.email })).toHaveCount(0);
    await expect(rows.filter({ hasText: "Joined the team" })).toHaveCount(1);
    await page.getByLabel("Action").selectOption({ label: "Joined the team" });
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(rows.filter({ hasText: "catalog.refresh" })).toHaveCount(0);
    await expect(rows.filter({ hasText: "Joined the team" })).toHaveCount(1);
  });

  test("a used or expired invitation link is refused with a clear message", async ({ browser, page }) => {
    const reused = await openDeadLink(browser, viewerLink, "This invitation link has already been used. Ask for a new one.");
    await reused.context.close();

    await signInAsOwner(page);
    const expiring = await inviteThroughUi(page, "Member");
    const token = new URL(expiring).searchParams.get("invite")!;
    const { createHash } = await import("node:crypto");
    await withAppDb((c) => c.query("UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE token_hash = $1", [createHash("sha256").update(token).digest("hex")]));
    const expired = await openDeadLink(browser, expiring, "This invitation link has expired. Ask for a new one.");
    await expired.page.screenshot({ path: `${SCREENS}/invite-expired.png`, fullPage: true });
    await expired.context.close();

    await page.goto("/team");
    await expect(page.getByText(/^Expired /)).toBeVisible();
    await page.getByRole("button", { name: /Revoke Member invitation/ }).first().click();
    await expect(page.getByText(/^Expired /)).toHaveCount(0);
  });

  test("no page shows a stored password or private key", async ({ page }) => {
    await signInAsOwner(page);
    const secrets = [demoSource().password, readFileSync(join(dataDir, "warehouse-password"), "utf8").trim(), readFileSync(join(dataDir, "pg-superuser-password"), "utf8").trim(), OWNER.password];
    const paths = ["/", "/team", "/audit-log", "/account", "/destination", `/integrations/${integrationId}`, `/integrations/${integrationId}/settings`, `/integrations/${integrationId}/logs`, `/integrations/${integrationId}/reports`];
    for (const path of paths) {
      const res = await page.request.get(path);
      const html = await res.text();
      await page.goto(path);
      const rendered = await page.content();
      for (const s of secrets) {
        expect(html, `${path} HTML`).not.toContain(s);
        expect(rendered, `${path} rendered`).not.toContain(s);
      }
    }
  });

  test("Account: a wrong current password is refused; a changed password works and ends other sessions; sign out everywhere", async ({ browser }) => {
    const other = await browser.newContext();
    const o = await other.newPage();
    await o.goto("/sign-in");
    await o.getByLabel("Email").fill(VIEWER.email);
    await o.getByLabel("Password").fill(VIEWER.password);
    await o.getByRole("button", { name: "Sign in" }).click();
    await expect(o.getByRole("navigation", { name: "Main" })).toBeVisible();

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(VIEWER.email);
    await page.getByLabel("Password").fill(VIEWER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Account" }).click();
    await page.getByLabel("Current password").fill("not-my-password-1");
    await page.getByLabel("New password", { exact: true }).fill("viewer-password-2");
    await page.getByLabel("Confirm new password").fill("viewer-password-2");
    await page.getByRole("button", { name: "Change Password" }).click();
    await expect(page.getByText("Wrong password")).toBeVisible();
    await page.getByLabel("Current password").fill(VIEWER.password);
    await page.getByRole("button", { name: "Change Password" }).click();
    await expect(page.getByText("Your password was changed. Other sessions were signed out.")).toBeVisible();
    await page.screenshot({ path: `${SCREENS}/account.png`, fullPage: true });
    await page.goto("/");
    await expect(page.getByText(`${VIEWER.email} · Member`)).toBeVisible();
    await o.goto("/");
    await expect(o).toHaveURL(/\/sign-in/);

    await page.goto("/account");
    await page.getByRole("button", { name: "Sign Out of All Sessions" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto("/team");
    await expect(page).toHaveURL(/\/sign-in/);
    await context.close();
    await other.close();
  });
});
