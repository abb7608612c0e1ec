import { LOG_STAGES, PLUGIN_MODES, type TCell, type TColumn, type TServerMatrix } from "./types";

const MARK = { same: "✓", differs: "✗", na: "–" } as const;
const STAGE_HEAD = LOG_STAGES.map((s) => s[0]).join(" ");

export const LEGEND = [
  "Fidelity matrix: each source type group × method × source version, judged by Verify (lib/verify: counts and",
  "row hashes per primary-key range, down to the row) after every job, plus two explicit checks Verify cannot",
  "make: every source column exists at the destination, and rows deleted under Log-based are kept with",
  "_sdc_deleted_at set. Destination: embedded PostgreSQL 17.",
  "  FT = Full Table (first job, then every row changed and a key changed, second job)",
  "  KB = Key-based on id, 2 rows a batch (first job, then new rows, incremental job)",
  "  Log-based, one integration per plugin mode: i = inserts, u = updates (every value moved to another row, a",
  "  key change), t = update leaving TOASTed values unchanged, d = deletes; each read by its own job.",
  "  ✓ identical   ✗ not identical (see the note under the block)   – not applicable",
].join("\n");

/** One server's block: groups down, methods across; notes for every ✗ and the reasons for –. */
export function formatServer(m: TServerMatrix): string {
  const width = Math.max(...m.groups.map((g) => g.length), 14) + 2;
  const blocks = PLUGIN_MODES.map((p) => p.padEnd(STAGE_HEAD.length));
  const lines = [
    `${m.server.label} (${m.seconds.toFixed(0)} s)`,
    `${"".padEnd(width)}FT KB │ ${blocks.join(" │ ")}`,
    `${"".padEnd(width)}      │ ${blocks.map((b) => STAGE_HEAD.padEnd(b.length)).join(" │ ")}`,
  ];
  const notes: string[] = [];
  const na = new Map<string, string[]>();
  const mark = (group: string, column: TColumn, c: TCell | undefined): string => {
    if (!c) return "?";
    if (c.kind === "differs") notes.push(`  ✗ ${group} × ${column}: ${c.detail}`);
    if (c.kind === "na") na.set(c.why, [...(na.get(c.why) ?? []), `${group} × ${column}`]);
    return MARK[c.kind];
  };
  for (const g of m.groups) {
    const row = m.cells.get(g)!;
    const ft = mark(g, "Full Table", row.get("Full Table"));
    const kb = mark(g, "Key-based", row.get("Key-based"));
    const modes = PLUGIN_MODES.map((p, i) => LOG_STAGES.map((s) => mark(g, `${p} ${s}`, row.get(`${p} ${s}`))).join(" ").padEnd(blocks[i]!.length));
    lines.push(`${g.padEnd(width)}${ft}  ${kb}  │ ${modes.join(" │ ")}`);
  }
  for (const [why, where] of na) {
    const modes = [...new Set(where.map((w) => w.split(" × ")[1]!.replace(/ (ins|upd|toast|del)$/, "")))];
    lines.push(`  – ${why}: ${modes.join(", ")}${why.startsWith("no binary") ? ` (${[...new Set(where.map((w) => w.split(" × ")[0]))].join(", ")})` : ""}`);
  }
  return [...lines, ...notes].join("\n");
}

/** Every cell's count by verdict. */
export function tally(ms: TServerMatrix[]): { same: number; differs: number; na: number } {
  const t = { same: 0, differs: 0, na: 0 };
  for (const m of ms) for (const row of m.cells.values()) for (const c of row.values()) t[c.kind]++;
  return t;
}

/** The not-identical cells, one line each (for an assertion). */
export function failures(ms: TServerMatrix[]): string[] {
  const out: string[] = [];
  for (const m of ms) for (const [g, row] of m.cells) for (const [col, c] of row) if (c.kind === "differs") out.push(`${m.server.label} · ${g} × ${col}: ${c.detail}`);
  return out;
}
