import { expect, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const OWNER = { name: "Olivia Owner", email: "owner@example.com", password: "owner-password-1" };

/** The demo source's connection details as `npm start` printed them (from the e2e data folder). */
export function demoSource() {
  const dataDir = process.env.E2E_DATA_DIR ?? ".test-data/e2e";
  return {
    host: "127.0.0.1",
    port: String(process.env.E2E_PG_PORT ?? 54410),
    user: "demo_replicator",
    password: readFileSync(join(dataDir, "demo-password"), "utf8").trim(),
    database: "demo",
  };
}

/**
 * The setup link `npm start` printed for this fresh install, read from its output (playwright.config.ts
 * keeps a copy of it next to the data folder): what a user would copy from the terminal.
 */
export async function setupLink(): Promise<string> {
  const log = `${process.env.E2E_DATA_DIR ?? ".test-data/e2e"}.start.log`;
  const printed = () => {
    try {
      return /https?:\/\/\S+\/sign-up\?setup=[A-Za-z0-9_-]+/.exec(readFileSync(log, "utf8"))?.[0] ?? null;
    } catch {
      return null; // not written yet
    }
  };
  // The server answers a moment before start prints its summary.
  await expect.poll(printed, { timeout: 30_000, message: `the setup link in ${log}` }).not.toBeNull();
  return printed()!;
}

export async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
}

/** Signs in as the team's Owner, creating the account if this install has none yet. */
export async function signInAsOwner(page: Page) {
  await page.goto("/sign-up");
  if (await page.getByRole("heading", { name: "Create your team" }).isVisible()) {
    await page.goto(await setupLink());
    await page.getByLabel("Name").fill(OWNER.name);
    await page.getByLabel("Email").fill(OWNER.email);
    await page.getByLabel("Password").fill(OWNER.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    return;
  }
  await signIn(page, OWNER);
}

/** Dashboard → Add Integration → a tile → the connection form. */
export async function openForm(page: Page, tile: "PostgreSQL" | "Amazon PostgreSQL RDS") {
  await page.goto("/");
  await page.getByRole("link", { name: "Add Integration" }).click();
  await expect(page.getByRole("heading", { name: "Add Integration" })).toBeVisible();
  await page.getByRole("link", { name: tile === "PostgreSQL" ? /^PostgreSQL/ : /^Amazon PostgreSQL RDS/ }).click();
  await expect(page.getByRole("button", { name: "Check and Save" })).toBeVisible();
}

/** Fills the connection form with the demo source (overrides for failure cases). */
export async function fillDemo(page: Page, name: string, overrides: Partial<ReturnType<typeof demoSource>> = {}) {
  const d = { ...demoSource(), ...overrides };
  await page.getByLabel("Integration Name").fill(name);
  await page.getByLabel("Host (Endpoint)").fill(d.host);
  await page.getByLabel("Port", { exact: true }).fill(d.port);
  await page.getByLabel("Username").fill(d.user);
  await page.getByLabel("Password", { exact: true }).fill(d.password);
  await page.getByLabel("Database", { exact: true }).fill(d.database);
}
