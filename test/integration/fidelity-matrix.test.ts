import { describe, inject, it } from "vitest";
import { serverMatrix } from "../fidelity/matrix";
import { failures, formatServer, tally } from "../fidelity/print";
import type { TServerMatrix, TSourceServer } from "../fidelity/types";

/**
 * The part of the fidelity matrix (npm run fidelity) that fits in npm test: every type group with its
 * edge values through Full Table, Key-based and Log-based (inserts, updates, unchanged TOAST, deletes)
 * from the embedded PostgreSQL 17 (pgoutput with text values and with binary values) and from Debian's
 * PostgreSQL 15 (wal2json, and pgoutput both ways), each cell judged by Verify.
 */
describe("fidelity matrix: every cell identical", () => {
  const servers = () => ({ appServerUrl: inject("embeddedUrl"), appTemplate: inject("appTemplate"), destServerUrl: inject("embeddedUrl") });

  // The two servers at once: most of a job's time is round trips, so they overlap well.
  it.concurrent.for<TSourceServer>([
    { label: "embedded PostgreSQL 17", major: 17, url: inject("embeddedUrl"), wal2json: false },
    { label: "Debian PostgreSQL 15 with wal2json", major: 15, url: inject("pg15").superuserUrl, wal2json: true },
  ])("$label as the source", { timeout: 300_000 }, async (src, { expect }) => {
    const m: TServerMatrix = await serverMatrix(servers(), src, { parallel: true });
    console.log(formatServer(m));
    expect(failures([m])).toEqual([]);
    const t = tally([m]);
    // Every group has its Full Table, Key-based and pgoutput (text) cells at least.
    expect(t.same).toBeGreaterThanOrEqual(m.groups.length * 6);
  });
});
