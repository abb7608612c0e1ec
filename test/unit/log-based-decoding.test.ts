import { describe, expect, it } from "vitest";
import { TableChangeBuffer } from "@/lib/replication/log-based/buffer";
import { decodeWal2Json, type TRowChange } from "@/lib/replication/log-based/changes";
import { formatLsn, parseLsn } from "@/lib/replication/log-based/lsn";
import { slotCandidates } from "@/lib/replication/log-based/names";
import { parseWal2JsonExact, wal2jsonTableFilter } from "@/lib/replication/log-based/plugins";

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
    const change = (ev as { change: TRowChange }).change;
    expect(Object.fromEntries(change.values)).toEqual({ n: "12345678901234567890.123456789", f: "-1.5e+300", s: ',"value":1}', b: "f", x: "\\x00ff" });
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
    expect(slotCandidates("Shop-DB é")).toEqual(["stitch_shop_db_e", "stitch"]);
  });
});

function change(op: TRowChange["op"], values: Record<string, string | null>, identity: Record<string, string | null> | null = null): TRowChange {
  return { op, schema: "public", table: "t", values: new Map(Object.entries(values)), types: null, identity: identity ? new Map(Object.entries(identity)) : null };
}
const meta = (n: number) => ({ at: `2026-01-01T00:00:0${n}Z`, extractedAt: "2026-01-01T00:00:00Z", sequence: BigInt(n) });

describe("the per-table change buffer", () => {
  it("merges changes to one key in order; unsent (TOAST) columns keep the earlier value", () => {
    const b = new TableChangeBuffer(["id"], new Set(["secret"]));
    b.add(change("insert", { id: "1", a: "x", big: "long", secret: "s" }), meta(1));
    b.add(change("update", { id: "1", a: "y" }, { id: "1" }), meta(2));
    b.add(change("insert", { id: "2", a: "z", big: null }), meta(3));
    b.add(change("delete", {}, { id: "2" }), meta(4));
    const out = b.drain();
    expect(out).toEqual(
      expect.arrayContaining([
        { kind: "upsert", values: { id: "1", a: "y", big: "long" }, extractedAt: "2026-01-01T00:00:00Z", sequence: 2n },
        { kind: "delete", key: { id: "2", a: "z", big: null }, deletedAt: "2026-01-01T00:00:04Z", extractedAt: "2026-01-01T00:00:00Z", sequence: 4n },
      ]),
    );
    expect(out).toHaveLength(2);
    expect(b.size).toBe(0);
  });

  it("a key change deletes the old key and asks for the new row's unsent columns", () => {
    const b = new TableChangeBuffer(["id"], new Set());
    b.setKnownColumns(["id", "a", "big"]);
    b.add(change("update", { id: "9", a: "moved" }, { id: "8" }), meta(1));
    const fills = b.pendingFills();
    expect(fills).toEqual([{ id: JSON.stringify(["9"]), fill: { key: { id: "9" }, columns: ["big"] } }]);
    b.applyFill(fills[0]!.id, { big: "kept" });
    const out = b.drain();
    expect(out).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "delete", key: { id: "8" } }),
        expect.objectContaining({ kind: "upsert", values: { id: "9", a: "moved", big: "kept" } }),
      ]),
    );
  });

  it("keyless tables keep every change, in order", () => {
    const b = new TableChangeBuffer([], new Set());
    b.add(change("insert", { a: "1" }), meta(1));
    b.add(change("update", { a: "2" }, { a: "1" }), meta(2));
    b.add(change("delete", {}, { a: "2" }), meta(3));
    expect(b.drain().map((c) => c.kind)).toEqual(["upsert", "upsert", "delete"]);
  });
});
