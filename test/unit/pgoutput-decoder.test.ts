import { describe, expect, it } from "vitest";
import { readChangeValues, type TRowChange } from "@/lib/replication/log-based/decode/events";
import { parseLsn } from "@/lib/replication/log-based/lsn";
import { PgoutputDecoder } from "@/lib/replication/log-based/decode/pgoutput-decoder";
import { UnreadableBinaryValueError } from "@/lib/replication/log-based/decode/binary-values";
import { i32, i64, relation, tag, tuple, u8 } from "../support/pgoutput-messages";

/** 2026-01-01T00:00:00.123456Z as microseconds since 2000-01-01. */
const COMMIT_US = BigInt(Date.parse("2026-01-01T00:00:00Z") - Date.parse("2000-01-01T00:00:00Z")) * 1000n + 123_456n;

function decoderWithTable(identity = "d"): PgoutputDecoder {
  const d = new PgoutputDecoder();
  const ev = d.decode(relation(16384, "public", "Hostile \"t\"", identity, [{ name: "id", key: true, oid: 20 }, { name: "note" }, { name: "big" }]));
  expect(ev).toMatchObject({ kind: "relation", relation: { schema: "public", table: 'Hostile "t"', replicaIdentity: identity } });
  return d;
}

describe("the pgoutput decoder", () => {
  it("begin and commit carry the transaction's positions and its commit time to the microsecond", () => {
    const d = new PgoutputDecoder();
    const begin = d.decode(Buffer.concat([tag("B"), i64(0x1_0000_00a0n), i64(COMMIT_US), i32(7)]));
    const commit = d.decode(Buffer.concat([tag("C"), u8(0), i64(0x1_0000_00a0n), i64(0x1_0000_00f8n), i64(COMMIT_US)]));
    expect(begin).toEqual({ kind: "begin", commitLsn: parseLsn("1/A0"), commitTime: "2026-01-01T00:00:00.123456Z" });
    expect(commit).toEqual({ kind: "commit", endLsn: parseLsn("1/F8"), commitTime: "2026-01-01T00:00:00.123456Z" });
  });

  it("an insert's values stay exact text aligned with the relation's columns, NULL kept apart from unsent", () => {
    const d = decoderWithTable();
    const ev = readChangeValues(d.decode(Buffer.concat([tag("I"), i32(16384), tag("N"), tuple(["12345678901234567890", null, "héllo\tworld"])])) as TRowChange);
    expect(ev).toMatchObject({ kind: "change", op: "insert", schema: "public", table: 'Hostile "t"', columns: ["id", "note", "big"], identity: null });
    expect(ev.values).toEqual(["12345678901234567890", null, "héllo\tworld"]);
  });

  it("an update leaves an unchanged TOAST value unsent (undefined), never NULL", () => {
    const d = decoderWithTable();
    const ev = readChangeValues(d.decode(Buffer.concat([tag("U"), i32(16384), tag("N"), tuple(["1", "changed", undefined])])) as TRowChange);
    expect(ev.values).toEqual(["1", "changed", undefined]);
    expect(ev.identity).toBeNull();
  });

  it("an update that moves the key sends the old key only (non-key columns are not part of it)", () => {
    const d = decoderWithTable();
    const ev = readChangeValues(d.decode(Buffer.concat([tag("U"), i32(16384), tag("K"), tuple(["1", null, null]), tag("N"), tuple(["2", "n", undefined])])) as TRowChange);
    expect(ev.identity).toEqual(["1", undefined, undefined]);
    expect(ev.values).toEqual(["2", "n", undefined]);
  });

  it("under REPLICA IDENTITY FULL an unchanged TOAST value of the new row is taken from the old row", () => {
    const d = decoderWithTable("f");
    const ev = readChangeValues(d.decode(Buffer.concat([tag("U"), i32(16384), tag("O"), tuple(["1", "old", "large value"]), tag("N"), tuple(["1", "new", undefined])])) as TRowChange);
    expect(ev.values).toEqual(["1", "new", "large value"]);
  });

  it("a delete carries its old key; a truncate names its tables", () => {
    const d = decoderWithTable();
    const del = readChangeValues(d.decode(Buffer.concat([tag("D"), i32(16384), tag("K"), tuple(["5", null, null])])) as TRowChange);
    expect(del).toMatchObject({ op: "delete", values: [], identity: ["5", undefined, undefined] });
    expect(d.decode(Buffer.concat([tag("T"), i32(1), u8(0), i32(16384)]))).toEqual({ kind: "truncate", tables: [{ schema: "public", table: 'Hostile "t"' }] });
  });

  it("a new relation description replaces the old one (a column added at the source)", () => {
    const d = decoderWithTable();
    d.decode(relation(16384, "public", 'Hostile "t"', "d", [{ name: "id", key: true }, { name: "note" }, { name: "big" }, { name: "added" }]));
    const ev = readChangeValues(d.decode(Buffer.concat([tag("I"), i32(16384), tag("N"), tuple(["3", "n", "b", "new column"])])) as TRowChange);
    expect(ev.columns).toEqual(["id", "note", "big", "added"]);
    expect(ev.values[3]).toBe("new column");
  });

  it("says clearly what is wrong with a change for an undescribed relation", () => {
    const d = decoderWithTable();
    expect(() => d.decode(Buffer.concat([tag("I"), i32(99), tag("N"), tuple(["1"])]))).toThrow(/relation 99 arrived before its description/);
  });

  it("reads a binary value as the text the server prints; one of a type it cannot read says which type", () => {
    const d = decoderWithTable();
    const ev = readChangeValues(d.decode(Buffer.concat([tag("I"), i32(16384), tag("N"), tuple([i64(-258n), "note", Buffer.from("bïg")])])) as TRowChange);
    expect(ev.values).toEqual(["-258", "note", "bïg"]);
    d.decode(relation(16384, "public", "t", "d", [{ name: "id", key: true, oid: 20 }, { name: "ip", oid: 869 }]));
    const inet = d.decode(Buffer.concat([tag("I"), i32(16384), tag("N"), tuple([i64(1n), Buffer.from([2, 32, 0, 4, 10, 0, 0, 1])])])) as TRowChange;
    expect(readChangeValues(inet).values).toEqual(["1", "10.0.0.1"]);
    d.decode(relation(16384, "public", "t", "d", [{ name: "id", key: true, oid: 20 }, { name: "at", oid: 600 }]));
    const point = () => d.decode(Buffer.concat([tag("I"), i32(16384), tag("N"), tuple([i64(1n), Buffer.alloc(16)])])) as TRowChange;
    expect(() => readChangeValues(point())).toThrow(UnreadableBinaryValueError);
    expect(() => readChangeValues(point())).toThrow(/type oid 600/);
  });
});
