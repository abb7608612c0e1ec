/**
 * `npm run bench`: runs every benchmark file in this folder (each a standalone script that prints its
 * figures), one after the other so they do not compete for the CPU. `npm run bench -- discovery` runs
 * only files whose name contains one of the arguments. Exits non-zero if any benchmark failed.
 */
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "index.ts" && !f.endsWith(".d.ts") && !f.startsWith("_"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

let failed = 0;
for (const f of files) {
  console.log(`\n=== bench/${f} ===`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", join(here, f)], { stdio: "inherit", env: process.env });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    failed++;
    console.log(`=== bench/${f} FAILED (exit ${r.status ?? r.signal}) after ${secs} s ===`);
  } else console.log(`=== bench/${f} done in ${secs} s ===`);
}
if (files.length === 0) console.log("No benchmark files matched.");
process.exit(failed > 0 ? 1 : 0);
