import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3210);
const pgPort = Number(process.env.E2E_PG_PORT ?? 54410);
const dataDir = process.env.E2E_DATA_DIR ?? ".test-data/e2e";

/**
 * The app is started as a user starts it (`npm start`'s script) on a fresh data folder, and driven in
 * Debian's Chromium. Specs run in file order against that one install: 00-foundation signs up first.
 */
export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
    },
  },
  webServer: {
    // A copy of what start prints (the setup link) for e2e/fixtures.ts, as a user copies it from the terminal;
    // on a clean clone the log's folder does not exist yet, and tee would only warn.
    command: `rm -rf ${dataDir} ${dataDir}.start.log && mkdir -p $(dirname ${dataDir}) && npx tsx scripts/start.ts | tee ${dataDir}.start.log`,
    url: `http://127.0.0.1:${port}/sign-in`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: { PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), DATA_DIR: dataDir, NEXTAUTH_URL: `http://localhost:${port}` },
  },
});
