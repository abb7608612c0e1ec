import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { demoSource, fillDemo, signInAsOwner } from "./fixtures";

const DATA_DIR = process.env.E2E_DATA_DIR ?? ".test-data/e2e";
const SHOTS = process.env.SELF_HEALING_SHOTS ?? ".test-data/screens-self-healing";
const NAME = "Crash Demo";
const TABLE = "e2e_crash_readings";

/** A client on the demo source as the embedded server's superuser (the e2e install's). */
async function demoClient(): Promise<pg.Client> {
  const password = readFileSync(join(DATA_DIR, "pg-superuser-password"), "utf8").trim();
  const c = new pg.Client({ host: "127.0.0.1", port: Number(process.env.E2E_PG_PORT ?? 54410), user: "postgres", password, database: "demo" });
  await c.connect();
  return c;
}

/** The pid of the worker `npm start` runs now (it writes it on every (re)start). */
const workerPid = () => Number(readFileSync(join(DATA_DIR, "pids", "worker.pid"), "utf8").trim());
const syncStatus = (page: Page) => page.getByText(/^Sync Status/);

test("a worker killed mid-job: the page says so within seconds, npm start brings a worker back, Run Extraction Now works", async ({ page, request }) => {
  // Sign-up, an integration, two jobs and a worker restart: more than the default 90 s on a loaded machine.
  test.setTimeout(240_000);
  const admin = await demoClient();
  try {
    await admin.query(
      `DROP TABLE IF EXISTS ${TABLE};
       CREATE TABLE ${TABLE} (id int PRIMARY KEY, v numeric); INSERT INTO ${TABLE} SELECT g, g / 4.0 FROM generate_series(1, 500) g;
       GRANT SELECT ON ${TABLE} TO ${demoSource().user};`,
    );
    await signInAsOwner(page);
    await page.goto("/integrations/new/postgres");
    await fillDemo(page, NAME);
    await page.getByLabel("Log-based Replication").uncheck();
    await page.getByRole("button", { name: "Check and Save" }).click();
    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}/, { timeout: 60_000 });
    const integrationId = page.url().match(/\/integrations\/([0-9a-f-]{36})/)![1]!;
    await page.goto(`/integrations/${integrationId}`);
    const box = page.getByRole("checkbox", { name: `public.${TABLE}`, exact: true });
    await expect(box).toBeVisible({ timeout: 60_000 });
    await box.check();
    await page.getByRole("button", { name: "Finalize Your Selections" }).click();
    await expect(page.getByText(/Selections finalized \(1 table/)).toBeVisible();

    // The schedule's first job may start on its own: let it finish before the lock would hold it too.
    const runNow = page.getByRole("button", { name: "Run Extraction Now" });
    await expect(runNow).toBeEnabled({ timeout: 120_000 });
    // Hold the job in the middle of its work: its read of the table waits for this lock.
    await admin.query(`BEGIN; LOCK TABLE ${TABLE} IN ACCESS EXCLUSIVE MODE`);
    await runNow.click();
    await expect(page.getByText(/^(Extraction queued|A job for this integration is already waiting to run|An extraction is already running)/)).toBeVisible();
    await expect(syncStatus(page)).toContainText("Running", { timeout: 60_000 });

    const killed = workerPid();
    process.kill(killed, "SIGKILL");
    await admin.query("ROLLBACK");
    // The dashboard keeps answering throughout: from the kill until the restarted worker ran the next job.
    const answers: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        answers.push(await request.get("/sign-in").then((r) => r.status(), () => 0));
        await page.waitForTimeout(250);
      }
    })();

    await expect(syncStatus(page)).toContainText("Failed", { timeout: 30_000 });
    const banner = page.getByRole("region", { name: "Last job failed" });
    await expect(banner).toContainText("The last job was ended by a crash");
    await expect(banner).toContainText("the next job resumes from the last saved position");
    await page.screenshot({ path: `${SHOTS}/crash-banner.png`, fullPage: true });
    expect(workerPid()).not.toBe(killed);

    await page.goto(`/integrations/${integrationId}/logs`);
    await page.getByRole("link", { name: "View log" }).first().click();
    const lines = page.getByRole("log", { name: "Log lines" });
    await expect(lines.getByRole("row").last()).toContainText("The worker stopped responding; the next job resumes from the last saved position.");
    await page.screenshot({ path: `${SHOTS}/crash-log.png`, fullPage: true });

    // No restart by hand: the next job runs on the worker npm start brought back.
    await page.goto(`/integrations/${integrationId}`);
    await page.getByRole("button", { name: "Run Extraction Now" }).click();
    await expect(page.getByText(/^(Extraction queued|A job for this integration is already waiting to run|An extraction is already running)/)).toBeVisible();
    await expect(syncStatus(page)).toContainText("Succeeded", { timeout: 120_000 });
    watching = false;
    await watcher;
    expect(answers.length).toBeGreaterThan(10);
    expect(answers.filter((a) => a !== 200)).toEqual([]);
  } finally {
    await admin.query("ROLLBACK").catch(() => undefined);
    await admin.end();
  }
});
