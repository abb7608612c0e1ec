import { describe, expect, it } from "vitest";
import { destinationTableName, findNameCollisions, truncateIdentifier } from "@/lib/destination/naming";
import { encodeCopyRow } from "@/lib/connectors/postgres/destination/copy-text";

describe("destination table names", () => {
  it("is the source table's name, or <schema>__<table> with the include-schema option", () => {
    expect(destinationTableName({ schema: "public", name: "Orders" }, false)).toBe("Orders");
    expect(destinationTableName({ schema: "sales", name: "orders" }, true)).toBe("sales__orders");
    expect(destinationTableName({ schema: 'We"ird', name: "a.b c" }, true)).toBe('We"ird__a.b c');
  });

  it("truncates at 63 bytes on a character boundary, as PostgreSQL would, so names stay predictable", () => {
    expect(truncateIdentifier("a".repeat(70))).toBe("a".repeat(63));
    const name = `${"x".repeat(62)}ü`; // ü is 2 bytes: it does not fit in the 63rd byte
    expect(truncateIdentifier(name)).toBe("x".repeat(62));
    expect(Buffer.byteLength(destinationTableName({ schema: "s".repeat(40), name: "t".repeat(40) }, true))).toBe(63);
  });

  it("reports every member of a collision with the others, and nothing else", () => {
    const c = findNameCollisions([
      { tableKey: "a.dup", destinationTable: "dup" },
      { tableKey: "b.dup", destinationTable: "dup" },
      { tableKey: "c.dup", destinationTable: "dup" },
      { tableKey: "a.one", destinationTable: "one" },
    ]);
    expect(c.get("a.dup")).toEqual(["b.dup", "c.dup"]);
    expect(c.get("c.dup")).toEqual(["a.dup", "b.dup"]);
    expect(c.has("a.one")).toBe(false);
  });
});

describe("COPY text rows", () => {
  it("escapes backslashes, tabs and newlines, and writes NULL as \\N (so raw newlines only end rows)", () => {
    expect(encodeCopyRow(["a\tb", "line1\nline2\r", "back\\slash", null, "", "\\N"])).toBe("a\\tb\tline1\\nline2\\r\tback\\\\slash\t\\N\t\t\\\\N\n");
  });
});
