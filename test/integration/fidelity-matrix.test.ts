import { describe, inject, it } from "vitest";
import { serverMatrix, tamperedCells, type TMethod } from "../fidelity/matrix";
import { failures, formatServer, tally } from "../fidelity/print";
import type { TServerMatrix, TSourceServer } from "../fidelity/types";

/**
 * The part of the fidelity matrix (npm run fidelity) that fits in npm test: every type group with its
 * edge values through Full Table, Key-based and Log-based (inserts, updates, unchanged TOAST, deletes)
 * from the embedded PostgreSQL 17 (pgoutput with text values and with binary values) and through
 * wal2json from Debian's PostgreSQL 15, each cell judged by Verify.
 */
describe("fidelity matrix: every cell identical", () => {
  const servers = () => ({ appServerUrl: inject("embeddedUrl"), appTemplate: inject("appTemplate"), destServerUrl: inject("embeddedUrl") });

  // Every method from the embedded 17; wal2json from Debian's 15 (its other columns, and the other
  // majors, are in npm run fidelity). All at once: most of a job's time is round trips.
  it.concurrent.for<TSourceServer & { only: TMethod[] }>([
    { label: "embedded PostgreSQL 17", major: 17, url: inject("embeddedUrl"), wal2json: false, only: ["Full Table", "Key-based", "pgoutput text", "pgoutput binary"] },
    { label: "Debian PostgreSQL 15 with wal2json", major: 15, url: inject("pg15").superuserUrl, wal2json: true, only: ["wal2json"] },
  ])("$label as the source", { timeout: 600_000 }, async ({ only, ...src }, { expect }) => {
    const m: TServerMatrix = await serverMatrix(servers(), src, { parallel: true, only });
    console.log(formatServer(m));
    expect(failures([m])).toEqual([]);
    const t = tally([m]);
    // Every group has its cells of each method run (binary ones where a binary reader exists).
    expect(t.same).toBeGreaterThanOrEqual(m.groups.length * (only.includes("Full Table") ? 6 : 4));
  });

  it.concurrent("the judge finds a value changed by hand at the destination in every group (its control)", { timeout: 600_000 }, async ({ expect }) => {
    const { cells, tampered } = await tamperedCells(servers(), { label: "embedded PostgreSQL 17", major: 17, url: inject("embeddedUrl"), wal2json: false });
    const expected = Object.fromEntries([...tampered].map(([g, detail]) => [g, { kind: "differs", detail }]));
    expect(Object.fromEntries(cells)).toEqual(expected);
  });
});
