import { describe, expect, it } from "vitest";
import { TableChangeBuffer } from "@/lib/replication/log-based/buffer";
import type { TRowChange } from "@/lib/replication/log-based/decode/events";
import { decodeWal2Json, parseWal2JsonExact } from "@/lib/replication/log-based/decode/wal2json-decoder";
import type { TChangeGroup } from "@/lib/connectors/postgres/destination";
import { formatLsn, parseLsn } from "@/lib/replication/log-based/lsn";
import { slotNameCandidates } from "@/lib/source/slot-names";
import { wal2jsonTableFilter } from "@/lib/replication/log-based/decode/plugins";

describe("WAL positions", () => {
  it("parse, compare and format exactly", () => {
    expect(parseLsn("16/B374D848")).toBe((0x16n << 32n) + 0xb374d848n);
    expect(formatLsn(parseLsn("0/1A"))).toBe("0/1A");
    expect(parseLsn("1/0") > parseLsn("0/FFFFFFFF")).toBe(true);
    expect(() => parseLsn("nope")).toThrow();
  });
});

describe("wal2json messages", () => {
  it("keep bare numbers as their exact text, and never touch string content", () => {
    const raw = `{"action":"I","schema":"public","table":"t","columns":[{"name":"n","type":"numeric","value":12345678901234567890.123456789},{"name":"f","type":"double precision","value":-1.5e+300},{"name":"s","type":"text","value":",\\"value\\":1}"},{"name":"b","type":"boolean","value":false},{"name":"x","type":"bytea","value":"00ff"}]}`;
    const ev = decodeWal2Json(parseWal2JsonExact(raw));
    expect(ev.kind).toBe("change");
    const change = ev as TRowChange;
    expect(Object.fromEntries(change.columns.map((c, i) => [c, change.values[i]]))).toEqual({ n: "12345678901234567890.123456789", f: "-1.5e+300", s: ',"value":1}', b: "f", x: "\\x00ff" });
  });

  it("begin and commit carry the commit position and its end", () => {
    const b = decodeWal2Json(parseWal2JsonExact(`{"action":"B","xid":7,"timestamp":"2026-01-01 00:00:00+00","lsn":"0/19486B8","nextlsn":"0/19486E8"}`));
    const c = decodeWal2Json(parseWal2JsonExact(`{"action":"C","xid":7,"timestamp":"2026-01-01 00:00:00+00","lsn":"0/19486B8","nextlsn":"0/19486E8"}`));
    expect(b).toMatchObject({ kind: "begin", commitLsn: parseLsn("0/19486B8") });
    expect(c).toMatchObject({ kind: "commit", endLsn: parseLsn("0/19486E8") });
  });

  it("escape table names for add-tables (space, quote, comma, dot, star, backslash)", () => {
    expect(wal2jsonTableFilter([{ schema: "public", name: `Hostile "t" ,.x` }, { schema: "a.b", name: "c*\\d'e" }])).toBe(`public.Hostile\\ "t"\\ \\,\\.x,a\\.b.c\\*\\\\d\\'e`);
  });
});

describe("slot names", () => {
  it("stitch_<database> with only a-z, 0-9 and _, then stitch", () => {
    expect(slotNameCandidates("Shop-DB é")).toEqual(["stitch_shop_db_e", "stitch"]);
  });
});

function change(op: TRowChange["op"], values: Record<string, string | null>, identity: Record<string, string | null> | null = null): TRowChange {
  const columns = [...new Set([...Object.keys(values), ...Object.keys(identity ?? {})])];
  return {
    kind: "change",
    op,
    schema: "public",
    table: "t",
    relKey: "public\u0000t",
    columns,
    values: op === "delete" ? [] : columns.map((c) => values[c]),
    types: null,
    identity: identity ? columns.map((c) => identity[c]) : null,
  };
}
const EXTRACTED = "2026-01-01T00:00:09Z";
const meta = (n: number) => ({ at: `2026-01-01T00:00:0${n}Z`, sequence: BigInt(n) });

/** The drained groups as the user would read the rows: kind, the sent columns' values, the _sdc inputs. */
function rows(groups: TChangeGroup[]) {
  return groups.flatMap((g) =>
    g.rows.map((r) => ({
      kind: g.kind,
      values: Object.fromEntries(g.sourceCols.map((c, i) => [c, r.values[g.at[i]!] ?? null])),
      sequence: r.sequence,
      ...(g.kind === "delete" ? { deletedAt: r.deletedAt } : {}),
    })),
  );
}

describe("the per-table change buffer", () => {
  it("merges changes to one key in order; unsent (TOAST) columns keep the earlier value", () => {
    const b = new TableChangeBuffer(["id"], new Set(["secret"]));
    b.add(change("insert", { id: "1", a: "x", big: "long", secret: "s" }), meta(1));
    b.add(change("update", { id: "1", a: "y" }), meta(2));
    b.add(change("insert", { id: "2", a: "z", big: null }), meta(3));
    b.add(change("delete", {}, { id: "2" }), meta(4));
    const out = rows(b.drain(EXTRACTED));
    expect(out).toEqual(
      expect.arrayContaining([
        { kind: "upsert", values: { id: "1", a: "y", big: "long" }, sequence: 2n },
        { kind: "delete", values: { id: "2", a: "z", big: null }, deletedAt: "2026-01-01T00:00:04Z", sequence: 4n },
      ]),
    );
    expect(out).toHaveLength(2);
    expect(b.size).toBe(0);
  });

  it("groups changes by kind and sent columns: an update without its TOAST column gets its own group", () => {
    const b = new TableChangeBuffer(["id"], new Set());
    b.add(change("insert", { id: "1", a: "x", big: "long" }), meta(1));
    b.add(change("update", { id: "2", a: "y" }), meta(2));
    b.add(change("insert", { id: "3", a: "z", big: "other" }), meta(3));
    const groups = b.drain(EXTRACTED);
    // One extraction time per batch: the merge writes it as a literal instead of staging it per row.
    expect(groups.every((g) => g.extractedAt === EXTRACTED)).toBe(true);
    expect(groups.map((g) => [g.kind, g.sourceCols, g.rows.length])).toEqual([
      ["upsert", ["id", "a", "big"], 2],
      ["upsert", ["id", "a"], 1],
    ]);
  });

  it("a key change deletes the old key and asks for the new row's unsent columns", () => {
    const b = new TableChangeBuffer(["id"], new Set());
    b.setKnownColumns(["id", "a", "big"]);
    b.add(change("update", { id: "9", a: "moved" }, { id: "8" }), meta(1));
    const fills = b.pendingFills();
    expect(fills).toEqual([{ id: expect.anything(), fill: { key: { id: "9" }, columns: ["big"] } }]);
    b.applyFill(fills[0]!.id, { big: "kept" });
    const out = rows(b.drain(EXTRACTED));
    expect(out).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "delete", values: { id: "8" } }),
        expect.objectContaining({ kind: "upsert", values: { id: "9", a: "moved", big: "kept" } }),
      ]),
    );
  });

  it("composite keys: changes to the same key merge, different keys stay apart", () => {
    const b = new TableChangeBuffer(["a", "b"], new Set());
    b.add(change("insert", { a: "1", b: "2", v: "first" }), meta(1));
    b.add(change("update", { a: "1", b: "2", v: "second" }), meta(2));
    b.add(change("insert", { a: "12", b: "", v: "other" }), meta(3));
    expect(rows(b.drain(EXTRACTED)).map((r) => r.values)).toEqual([
      { a: "1", b: "2", v: "second" },
      { a: "12", b: "", v: "other" },
    ]);
  });

  it("keyless tables keep every change, in order", () => {
    const b = new TableChangeBuffer([], new Set());
    b.add(change("insert", { a: "1" }), meta(1));
    b.add(change("update", { a: "2" }, { a: "1" }), meta(2));
    b.add(change("delete", {}, { a: "2" }), meta(3));
    expect(rows(b.drain(EXTRACTED)).map((c) => [c.kind, c.values])).toEqual([
      ["upsert", { a: "1" }],
      ["upsert", { a: "2" }],
      ["delete", { a: "2" }],
    ]);
  });
});
