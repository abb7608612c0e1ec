import { describe, expect, it } from "vitest";
import { encodeGroup } from "@/lib/connectors/postgres/destination/change-staging";
import type { TChangeGroup } from "@/lib/connectors/postgres/destination";
import { TableChangeBuffer } from "@/lib/replication/log-based/buffer";
import { readChangeValues, type TRowChange } from "@/lib/replication/log-based/decode/events";
import { PgoutputDecoder } from "@/lib/replication/log-based/decode/pgoutput-decoder";
import { readArenaRow } from "@/lib/replication/log-based/buffer/row-arena";
import { detachRaw } from "@/lib/replication/log-based/decode/raw-tuples";
import { deleteMessage, i32, i64, insertMessage, relation, updateMessage } from "../support/pgoutput-messages";
import { isoToPgMicros } from "@/lib/connectors/postgres/destination/copy-binary";
import { binaryToText } from "@/lib/replication/log-based/decode/binary-values";

/**
 * The buffer's arena path: pgoutput changes copied from their messages straight into COPY text. Every
 * test reads what the loader would receive (the drained groups, decoded back, or their COPY bytes).
 */
const EXTRACTED = "2026-01-01T00:00:10.000Z";
const meta = (n: number) => ({ at: `2026-01-01T00:00:0${n}.000Z`, sequence: BigInt(n) });
const REL = 16384;

/** A decoder that knows relation REL with these columns (the first `keys` are the key). */
function streamOf(columns: string[], keyColumns: string[] = ["id"]): { d: PgoutputDecoder; change(msg: Buffer): TRowChange } {
  const d = new PgoutputDecoder();
  d.decode(relation(REL, "public", "t", "d", columns.map((name) => ({ name, key: keyColumns.includes(name) }))));
  return { d, change: (msg) => d.decode(msg) as TRowChange };
}

/** The drained groups as the user would read the rows: kind, each sent column's value, the _sdc inputs. */
function rows(groups: TChangeGroup[]) {
  return groups.flatMap((g) =>
    g.rows.map((r) => {
      const values = g.arena ? readArenaRow(g.arena, r.start!, r.end!) : g.at.map((i) => r.values[i] ?? null);
      return { kind: g.kind, values: Object.fromEntries(g.sourceCols.map((c, i) => [c, values[i]])), sequence: r.sequence, ...(g.kind === "delete" ? { deletedAt: r.deletedAt } : {}) };
    }),
  );
}

const copyText = (g: TChangeGroup) =>
  Buffer.concat([...encodeGroup(g, { receivedAt: EXTRACTED, tableVersion: 1, full: false, ordered: false })].map((c) => (typeof c === "string" ? Buffer.from(c, "utf8") : c))).toString("utf8");

const HOSTILE = ["1", null, "tab\there, new\nline, back\\slash, cr\r", "\\N", "héllo ✓ 🚀", ""];

describe("changes copied from pgoutput messages into the buffer's arena", () => {
  it("are the exact COPY text the values would encode to (escapes, NULL, the text \\N, UTF-8, empty)", () => {
    const cols = ["id", "a", "b", "c", "d", "e"];
    const s = streamOf(cols);
    const fast = new TableChangeBuffer(["id"], new Set());
    fast.add(s.change(insertMessage(REL, HOSTILE)), meta(1));
    const [arenaGroup] = fast.drain(EXTRACTED);
    expect(arenaGroup!.arena).toBeInstanceOf(Buffer);

    // The same change through the general path (values read out of the message first).
    const slow = new TableChangeBuffer(["id"], new Set());
    slow.add(readChangeValues(s.change(insertMessage(REL, HOSTILE))), meta(1));
    const [valuesGroup] = slow.drain(EXTRACTED);
    expect(valuesGroup!.arena).toBeUndefined();

    expect(copyText(arenaGroup!)).toBe(copyText(valuesGroup!));
    expect(copyText(arenaGroup!)).toBe("1\t\\N\ttab\\there, new\\nline, back\\\\slash, cr\\r\t\\\\N\théllo ✓ 🚀\t\t1\n");
    expect(rows([arenaGroup!])[0]!.values).toEqual(Object.fromEntries(cols.map((c, i) => [c, HOSTILE[i]])));
  });

  it("later whole-row updates replace earlier ones; an update without its TOAST value merges over the copied row", () => {
    const s = streamOf(["id", "a", "big"]);
    const b = new TableChangeBuffer(["id"], new Set());
    b.add(s.change(insertMessage(REL, ["1", "x", "long value"])), meta(1));
    b.add(s.change(updateMessage(REL, ["1", "y", "other"])), meta(2));
    b.add(s.change(updateMessage(REL, ["1", "z", undefined])), meta(3));
    b.add(s.change(insertMessage(REL, ["2", "a\tb", null])), meta(4));
    b.add(s.change(updateMessage(REL, ["2", "c", "d"])), meta(5));
    expect(rows(b.drain(EXTRACTED))).toEqual(
      expect.arrayContaining([
        { kind: "upsert", values: { id: "1", a: "z", big: "other" }, sequence: 3n },
        { kind: "upsert", values: { id: "2", a: "c", big: "d" }, sequence: 5n },
      ]),
    );
    expect(b.size).toBe(0);
  });

  it("a delete after an insert in the batch lands with the row's values; a delete alone carries its key", () => {
    const s = streamOf(["id", "a"]);
    const b = new TableChangeBuffer(["id"], new Set());
    b.add(s.change(insertMessage(REL, ["2", "kept"])), meta(1));
    b.add(s.change(deleteMessage(REL, ["2", null])), meta(2));
    b.add(s.change(deleteMessage(REL, ["3", null])), meta(3));
    b.add(s.change(insertMessage(REL, ["4", "back"])), meta(4));
    const groups = b.drain(EXTRACTED);
    expect(rows(groups)).toEqual(
      expect.arrayContaining([
        { kind: "delete", values: { id: "2", a: "kept" }, sequence: 2n, deletedAt: "2026-01-01T00:00:02.000Z" },
        { kind: "delete", values: { id: "3" }, sequence: 3n, deletedAt: "2026-01-01T00:00:03.000Z" },
        { kind: "upsert", values: { id: "4", a: "back" }, sequence: 4n },
      ]),
    );
    expect(groups.map((g) => [g.kind, g.sourceCols])).toEqual([
      ["delete", ["id", "a"]],
      ["delete", ["id"]],
      ["upsert", ["id", "a"]],
    ]);
  });

  it("keys whose first change in the batch is an insert form an insert-only group; updates, and keys deleted then inserted again, do not", () => {
    const s = streamOf(["id", "a"]);
    const b = new TableChangeBuffer(["id"], new Set());
    b.add(s.change(insertMessage(REL, ["1", "new"])), meta(1));
    b.add(s.change(insertMessage(REL, ["2", "new, then changed"])), meta(1));
    b.add(s.change(updateMessage(REL, ["2", "changed"])), meta(2));
    b.add(s.change(updateMessage(REL, ["3", "was there before"])), meta(2));
    b.add(s.change(deleteMessage(REL, ["4", null])), meta(3));
    b.add(s.change(insertMessage(REL, ["4", "back again"])), meta(4));
    b.add(s.change(insertMessage(REL, ["5", "short-lived"])), meta(4));
    b.add(s.change(deleteMessage(REL, ["5", null])), meta(5));
    const groups = b.drain(EXTRACTED);
    const byGroup = groups.map((g) => ({ kind: g.kind, insertOnly: g.insertOnly === true, ids: rows([g]).map((r) => r.values.id) }));
    expect(byGroup).toEqual(
      expect.arrayContaining([
        { kind: "upsert", insertOnly: true, ids: ["1", "2"] },
        { kind: "upsert", insertOnly: false, ids: ["3", "4"] },
        { kind: "delete", insertOnly: false, ids: ["5"] },
      ]),
    );
    expect(byGroup).toHaveLength(3);
    expect(rows(groups).find((r) => r.values.id === "2")).toEqual({ kind: "upsert", values: { id: "2", a: "changed" }, sequence: 2n });
  });

  it("a key change after a copied insert: the old key is deleted with its values, the new key keeps the unsent TOAST value", () => {
    const s = streamOf(["id", "a", "big"]);
    const b = new TableChangeBuffer(["id"], new Set());
    b.setKnownColumns(["id", "a", "big"]);
    b.add(s.change(insertMessage(REL, ["1", "x", "long"])), meta(1));
    b.add(s.change(updateMessage(REL, ["9", "moved", undefined], ["1", null, null])), meta(2));
    expect(b.pendingFills()).toEqual([]);
    expect(rows(b.drain(EXTRACTED))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "delete", values: { id: "1", a: "x", big: "long" } }),
        expect.objectContaining({ kind: "upsert", values: { id: "9", a: "moved", big: "long" } }),
      ]),
    );
  });

  it("a delete after a change kept as values (its TOAST value unsent) lands with those values", () => {
    const s = streamOf(["id", "a", "big"]);
    const b = new TableChangeBuffer(["id"], new Set());
    b.add(s.change(updateMessage(REL, ["3", "changed", undefined])), meta(1));
    b.add(s.change(deleteMessage(REL, ["3", null, null])), meta(2));
    expect(rows(b.drain(EXTRACTED))).toEqual([{ kind: "delete", values: { id: "3", a: "changed" }, sequence: 2n, deletedAt: "2026-01-01T00:00:02.000Z" }]);
  });

  it("a column dropped at the source mid-batch: the value an earlier change gave it is still written", () => {
    const s = streamOf(["id", "a", "gone"]);
    const b = new TableChangeBuffer(["id"], new Set());
    b.add(s.change(insertMessage(REL, ["1", "x", "last value"])), meta(1));
    s.d.decode(relation(REL, "public", "t", "d", [{ name: "id", key: true }, { name: "a" }]));
    b.add(s.change(updateMessage(REL, ["1", "y"])), meta(2));
    b.add(s.change(insertMessage(REL, ["2", "z"])), meta(3));
    expect(rows(b.drain(EXTRACTED))).toEqual(
      expect.arrayContaining([
        { kind: "upsert", values: { id: "1", a: "y", gone: "last value" }, sequence: 2n },
        { kind: "upsert", values: { id: "2", a: "z" }, sequence: 3n },
      ]),
    );
  });

  it("deselected columns are left out, and the key need not be the first column", () => {
    const s = streamOf(["note", "secret", "id"]);
    const b = new TableChangeBuffer(["id"], new Set(["secret"]));
    b.add(s.change(insertMessage(REL, ["n1", "s1", "7"])), meta(1));
    b.add(s.change(insertMessage(REL, ["n2", "s2", "8"])), meta(2));
    b.add(s.change(updateMessage(REL, ["n3", "s3", "7"])), meta(3));
    b.add(s.change(deleteMessage(REL, [null, null, "8"])), meta(4));
    const groups = b.drain(EXTRACTED);
    expect(groups.every((g) => !g.sourceCols.includes("secret"))).toBe(true);
    expect(rows(groups)).toEqual(
      expect.arrayContaining([
        { kind: "upsert", values: { note: "n3", id: "7" }, sequence: 3n },
        { kind: "delete", values: { note: "n2", id: "8" }, sequence: 4n, deletedAt: "2026-01-01T00:00:04.000Z" },
      ]),
    );
  });

  it("composite keys: one row per key; a column added at the source mid-batch merges over the older rows", () => {
    const s = streamOf(["a", "b", "v"], ["a", "b"]);
    const b = new TableChangeBuffer(["a", "b"], new Set());
    b.add(s.change(insertMessage(REL, ["1", "2", "first"])), meta(1));
    b.add(s.change(insertMessage(REL, ["12", "", "other"])), meta(2));
    // The relation is described again with a new column; the next update carries it.
    s.d.decode(relation(REL, "public", "t", "d", [{ name: "a", key: true }, { name: "b", key: true }, { name: "v" }, { name: "added" }]));
    b.add(s.change(updateMessage(REL, ["1", "2", "second", "new"])), meta(3));
    expect(rows(b.drain(EXTRACTED)).map((r) => r.values)).toEqual(
      expect.arrayContaining([
        { a: "1", b: "2", v: "second", added: "new" },
        { a: "12", b: "", v: "other" },
      ]),
    );
    expect(b.columns()).toEqual(["a", "b", "v", "added"]);
  });

  it("a change held back while the destination is busy keeps its values after the connection's buffer is reused", () => {
    const s = streamOf(["id", "a"]);
    const msg = insertMessage(REL, ["5", "held"]);
    const ev = s.change(msg);
    ev.raw = detachRaw(ev.raw!);
    msg.fill(0); // the read buffer, overwritten by the next socket read
    const b = new TableChangeBuffer(["id"], new Set());
    b.add(ev, meta(1));
    expect(rows(b.drain(EXTRACTED))[0]!.values).toEqual({ id: "5", a: "held" });
  });

  it("a large batch is sent in bounded chunks that together are the rows in full", () => {
    const s = streamOf(["id", "a"]);
    const b = new TableChangeBuffer(["id"], new Set());
    const big = "x".repeat(300);
    for (let i = 0; i < 2_000; i++) b.add(s.change(insertMessage(REL, [String(i), i === 7 ? "y".repeat(200_000) : big])), meta(1));
    const [g] = b.drain(EXTRACTED);
    const chunks = [...encodeGroup(g!, { receivedAt: EXTRACTED, tableVersion: 1, full: false, ordered: false })];
    expect(chunks.length).toBeGreaterThan(3);
    const lines = Buffer.concat(chunks.map((c) => (typeof c === "string" ? Buffer.from(c) : c))).toString("utf8").split("\n");
    expect(lines).toHaveLength(2_001);
    expect(lines[7]).toBe(`7\t${"y".repeat(200_000)}\t1`);
    expect(lines[1_999]).toBe(`1999\t${big}\t1`);
  });

  it("a delete whose old key (the replica identity) lacks a primary key column is refused clearly, not applied to a NULL key", () => {
    const d = new PgoutputDecoder();
    // REPLICA IDENTITY USING INDEX on "code": the delete sends code, and id as NULL.
    d.decode(relation(REL, "public", "t", "i", [{ name: "id" }, { name: "code", key: true }]));
    const b = new TableChangeBuffer(["id"], new Set());
    expect(() => b.add(d.decode(deleteMessage(REL, [null, "c1"])) as TRowChange, meta(1))).toThrow(/arrived without its primary key/);
    expect(b.size).toBe(0);
  });
});

describe("changes of a binary stream kept as COPY BINARY fields", () => {
  const TYPES = new Map([
    ["id", 20],
    ["a", 25],
    ["n", 23],
  ]);
  const b = (s: string) => Buffer.from(s, "utf8");
  const int4 = (n: number) => i32(n);

  function binaryStream(types: Record<string, number> = Object.fromEntries(TYPES)): { change(msg: Buffer): TRowChange } {
    const d = new PgoutputDecoder();
    d.decode(relation(REL, "public", "t", "d", Object.entries(types).map(([name, oid]) => ({ name, oid, key: name === "id" }))));
    return { change: (msg) => d.decode(msg) as TRowChange };
  }

  /** The rows of a group's COPY BINARY stream, each field read as text by the staging column's type. */
  function copyBinaryRows(g: TChangeGroup): (string | null)[][] {
    const data = Buffer.concat([...encodeGroup(g, { receivedAt: EXTRACTED, tableVersion: 1, full: false, ordered: false })].map((c) => (typeof c === "string" ? Buffer.from(c) : c)));
    expect(data.subarray(0, 11).toString("latin1")).toBe("PGCOPY\n\xff\r\n\0");
    const oids = [...g.sourceCols.map((c) => TYPES.get(c)!), 20, ...(g.kind === "delete" ? [1184] : [])];
    const out: (string | null)[][] = [];
    let p = 19;
    for (let n = data.readInt16BE(p); n !== -1; n = data.readInt16BE(p)) {
      p += 2;
      expect(n).toBe(oids.length);
      const row: (string | null)[] = [];
      for (let i = 0; i < n; i++) {
        const len = data.readInt32BE(p);
        p += 4;
        row.push(len < 0 ? null : oids[i] === 1184 ? String(data.readBigInt64BE(p)) : binaryToText(oids[i]!, data, p, len));
        p += Math.max(len, 0);
      }
      out.push(row);
    }
    expect(p + 2).toBe(data.length);
    return out;
  }

  it("rows are the messages' binary fields; the COPY BINARY rows carry the sequence and a delete's time", () => {
    const s = binaryStream();
    const buf = new TableChangeBuffer(["id"], new Set());
    buf.restart(TYPES);
    buf.add(s.change(insertMessage(REL, [i64(1n), b("tab\there \\N ü"), int4(-7)])), meta(1));
    buf.add(s.change(insertMessage(REL, [i64(5_000_000_000n), null, int4(2)])), meta(2));
    buf.add(s.change(deleteMessage(REL, [i64(3n), null, null])), meta(3));
    buf.add(s.change(insertMessage(REL, [i64(4n), b("gone"), int4(4)])), meta(4));
    buf.add(s.change(deleteMessage(REL, [i64(4n), null, null])), meta(5));
    const groups = buf.drain(EXTRACTED);
    expect(groups.every((g) => g.binary && g.arena)).toBe(true);
    const upserts = groups.filter((g) => g.kind === "upsert").flatMap(copyBinaryRows);
    expect(upserts).toEqual([
      ["1", "tab\there \\N ü", "-7", "1"],
      ["5000000000", null, "2", "2"],
    ]);
    const deletes = groups.filter((g) => g.kind === "delete").flatMap(copyBinaryRows);
    expect(deletes).toEqual(
      expect.arrayContaining([
        ["3", "3", String(isoToPgMicros(meta(3).at))],
        ["4", "gone", "4", "5", String(isoToPgMicros(meta(5).at))],
      ]),
    );
  });

  it("an update without its TOAST value, or moving the key, merges over a binary row read back as text", () => {
    const s = binaryStream();
    const buf = new TableChangeBuffer(["id"], new Set());
    buf.restart(TYPES);
    buf.add(s.change(insertMessage(REL, [i64(1n), b("long value"), int4(1)])), meta(1));
    buf.add(s.change(updateMessage(REL, [i64(1n), undefined, int4(2)])), meta(2));
    buf.add(s.change(insertMessage(REL, [i64(2n), b("two"), int4(2)])), meta(3));
    buf.add(s.change(updateMessage(REL, [i64(20n), b("twenty"), int4(20)], [i64(2n), null, null])), meta(4));
    expect(rows(buf.drain(EXTRACTED))).toEqual(
      expect.arrayContaining([
        { kind: "upsert", values: { id: "1", a: "long value", n: "2" }, sequence: 2n },
        { kind: "delete", values: { id: "2", a: "two", n: "2" }, sequence: 4n, deletedAt: meta(4).at },
        { kind: "upsert", values: { id: "20", a: "twenty", n: "20" }, sequence: 4n },
      ]),
    );
  });

  it("integer keys at the edges of the small-number ids merge across the arena and the general path, one net change per key", () => {
    const s = binaryStream();
    const buf = new TableChangeBuffer(["id"], new Set());
    buf.restart(TYPES);
    const keys = [0n, -1n, 2n ** 30n - 1n, 2n ** 30n, -(2n ** 30n), -(2n ** 30n) - 1n, 2n ** 32n - 1n, 2n ** 40n, -(2n ** 40n), 2n ** 63n - 1n];
    // Each key: a row copied into the arena, then an update without its TOAST value (the general path,
    // which finds the row by the key's text), then a delete (the arena path again, by the key's bytes).
    keys.forEach((k, i) => buf.add(s.change(insertMessage(REL, [i64(k), b(`value ${i}`), int4(i)])), meta(1)));
    keys.forEach((k, i) => buf.add(s.change(updateMessage(REL, [i64(k), undefined, int4(100 + i)])), meta(2)));
    expect(buf.size).toBe(keys.length);
    keys.forEach((k) => buf.add(s.change(deleteMessage(REL, [i64(k), null, null])), meta(3)));
    expect(buf.size).toBe(keys.length);
    const out = rows(buf.drain(EXTRACTED));
    expect(out).toHaveLength(keys.length);
    expect(new Set(out.map((r) => `${r.kind} ${r.values.id} ${r.values.a} ${r.values.n}`))).toEqual(new Set(keys.map((k, i) => `delete ${k} value ${i} ${100 + i}`)));
  });

  it("a relation whose column type is no longer the destination's goes by the general path, as text", () => {
    // "n" became bigint at the source; the destination (and so staging) still has integer.
    const s = binaryStream({ id: 20, a: 25, n: 20 });
    const buf = new TableChangeBuffer(["id"], new Set());
    buf.restart(TYPES);
    buf.add(s.change(insertMessage(REL, [i64(1n), b("x"), i64(9_000_000_000n)])), meta(1));
    const [g] = buf.drain(EXTRACTED);
    expect(g!.arena).toBeUndefined();
    expect(copyText(g!)).toBe("1\tx\t9000000000\t1\n");
  });

  it("restart() drops what was buffered (a read that starts over); a text stream keeps text rows", () => {
    const s = streamOf(["id", "a"]);
    const buf = new TableChangeBuffer(["id"], new Set());
    buf.restart(TYPES);
    buf.add(s.change(insertMessage(REL, ["1", "x"])), meta(1));
    buf.restart(null);
    expect(buf.size).toBe(0);
    buf.add(s.change(insertMessage(REL, ["2", "y"])), meta(2));
    const [g] = buf.drain(EXTRACTED);
    expect(g!.binary).toBe(false);
    expect(copyText(g!)).toBe("2\ty\t2\n");
  });
});
