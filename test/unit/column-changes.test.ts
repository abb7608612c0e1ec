import { describe, expect, it } from "vitest";
import { changesAmong, columnHistoryOf, diffColumns, isSafeWidening, parseColumnHistory, recopyReason, ZColumnHistory } from "@/lib/replication/column-changes";
import type { TSourceColumn } from "@/lib/connectors/types";
import { renameInSelection } from "@/lib/selection/renamed-columns";

const col = (name: string, attnum: number, sourceType: string, fillsExisting = false, generated = false): TSourceColumn => ({
  name,
  attnum,
  sourceType,
  destinationType: sourceType,
  typeOid: 0,
  typeKind: "b",
  baseTypeOid: 0,
  fillsExisting,
  generated,
});

const base = [col("id", 1, "integer"), col("name", 2, "text"), col("amount", 3, "numeric(12,2)")];
const history = columnHistoryOf(base);

describe("column history", () => {
  it("records each column's number and source type by name, and round-trips through zod", () => {
    expect(history).toEqual({ id: { attnum: 1, type: "integer" }, name: { attnum: 2, type: "text" }, amount: { attnum: 3, type: "numeric(12,2)" } });
    expect(ZColumnHistory.parse(JSON.parse(JSON.stringify(history)))).toEqual(history);
    expect(ZColumnHistory.safeParse({ id: { attnum: "1", type: "integer" } }).success).toBe(false);
  });

  it("an absent, empty or unreadable history is unknown: no changes are made up", () => {
    expect(parseColumnHistory(undefined)).toBeNull();
    expect(parseColumnHistory({})).toBeNull();
    expect(parseColumnHistory([1, 2])).toBeNull();
    expect(parseColumnHistory(history)).toEqual(history);
    expect(diffColumns(null, base)).toEqual({ added: [], renamed: [], dropped: [], retyped: [] });
    expect(diffColumns({}, base)).toEqual({ added: [], renamed: [], dropped: [], retyped: [] });
  });
});

describe("diffColumns", () => {
  it("no change", () => {
    expect(diffColumns(history, base)).toEqual({ added: [], renamed: [], dropped: [], retyped: [] });
  });

  it("follows columns by number: a rename is a rename, with its type change under the new name", () => {
    const live = [col("id", 1, "bigint"), col("Full Name", 2, "text"), col("amount", 3, "numeric(12,2)")];
    expect(diffColumns(history, live)).toEqual({
      added: [],
      renamed: [{ from: "name", to: "Full Name" }],
      dropped: [],
      retyped: [{ name: "id", from: "integer", to: "bigint", widening: true }],
    });
  });

  it("a column dropped and added again under its name is a drop and an add", () => {
    const readded = col("name", 4, "text");
    const d = diffColumns(history, [base[0]!, base[2]!, readded]);
    expect(d).toEqual({ added: [readded], renamed: [], dropped: ["name"], retyped: [] });
  });

  it("changesAmong keeps what concerns the destination's columns", () => {
    const live = [col("id", 1, "text"), col("label", 2, "text"), col("amount", 3, "numeric(12,2)"), col("extra", 5, "text", true)];
    const d = diffColumns(history, live);
    expect(changesAmong(d, ["label", "amount"])).toEqual({ added: [], renamed: [{ from: "name", to: "label" }], dropped: [], retyped: [] });
    expect(changesAmong(d, ["amount"]).renamed).toEqual([{ from: "name", to: "label" }]);
    expect(changesAmong(d, ["id", "extra"]).retyped).toHaveLength(1);
    expect(changesAmong(d, ["id", "extra"]).added).toHaveLength(1);
  });
});

describe("recopyReason", () => {
  const t = 'public."MixedCase"';
  it("an added column with a value for existing rows needs a copy; one without does not", () => {
    const withDefault = diffColumns(history, [...base, col("Added Later", 4, "text", true)]);
    expect(recopyReason(t, withDefault)).toBe(
      `Column "Added Later" was added to public."MixedCase" with a default: PostgreSQL fills existing rows without changing them, so the table is copied again to bring the existing rows' values`,
    );
    expect(recopyReason(t, diffColumns(history, [...base, col("twice", 4, "numeric", true, true)]))).toContain(`Column "twice" was added to public."MixedCase" as a generated column`);
    expect(recopyReason("public.v", diffColumns(history, [...base, col("more", 4, "text", true)]), { view: true })).toContain(`Column "more" was added to public.v (a view)`);
    expect(recopyReason(t, diffColumns(history, [...base, col("plain", 4, "text")]))).toBeNull();
  });

  it("renames, drops and safe widenings need no copy; a narrowing or reinterpreting type change does", () => {
    const live = [col("id", 1, "bigint"), col("label", 2, "text")];
    expect(recopyReason(t, diffColumns(history, live))).toBeNull();
    const reason = recopyReason(t, diffColumns(history, [col("id", 1, "integer"), col("name", 2, "integer"), base[2]!]));
    expect(reason).toContain('Column "name" of public."MixedCase" changed type from text to integer');
    expect(reason).toContain("copied again");
  });

  it("a name that passes to another column needs a copy (swap, drop and re-add)", () => {
    const swapped = [col("id", 1, "integer"), col("amount", 2, "text"), col("name", 3, "numeric(12,2)")];
    expect(recopyReason(t, diffColumns(history, swapped))).toContain('renamed to "amount", the name another column had');
    const readded = recopyReason(t, diffColumns(history, [base[0]!, base[2]!, col("name", 4, "text")]));
    expect(readded).toContain('Column "name" of public."MixedCase" is a new column under the name of one that was dropped or renamed');
    expect(recopyReason(t, diffColumns(history, [base[0]!, base[2]!]))).toBeNull();
  });

  it("quotes names as identifiers", () => {
    expect(recopyReason(t, diffColumns(history, [...base, col('say "hi"', 4, "text", true)]))).toContain('Column "say ""hi"""');
  });
});

describe("isSafeWidening", () => {
  it.each([
    ["smallint", "integer"],
    ["integer", "bigint"],
    ["smallint", "bigint"],
    ["integer", "numeric"],
    ["bigint", "numeric"],
    ["integer", "numeric(12,2)"],
    ["integer", "double precision"],
    ["real", "double precision"],
    ["numeric(10,2)", "numeric(14,2)"],
    ["numeric(10,2)", "numeric"],
    ["character varying(10)", "character varying(20)"],
    ["character varying(10)", "character varying"],
    ["character varying(10)", "text"],
    ["character varying", "text"],
    ["character(5)", "text"],
    ["timestamp(3) without time zone", "timestamp without time zone"],
    ["timestamp(0) with time zone", "timestamp(3) with time zone"],
    ["time(2) without time zone", "time(5) without time zone"],
    ["bit varying(4)", "bit varying(8)"],
    ["integer[]", "bigint[]"],
    ["character varying(3)[]", "text[]"],
  ])("%s → %s is safe", (from, to) => {
    expect(isSafeWidening(from, to)).toBe(true);
  });

  it.each([
    ["bigint", "integer"],
    ["integer", "smallint"],
    ["text", "integer"],
    ["integer", "text"],
    ["bigint", "double precision"],
    ["integer", "real"],
    ["double precision", "real"],
    ["numeric", "numeric(12,2)"],
    ["numeric(12,2)", "numeric(14,3)"],
    ["numeric(12,2)", "numeric(10,2)"],
    ["integer", "numeric(9,0)"],
    ["bigint", "numeric(20,2)"],
    ["numeric", "double precision"],
    ["text", "character varying(10)"],
    ["character varying(20)", "character varying(10)"],
    ["character varying", "character varying(10)"],
    ["character(5)", "character varying(5)"],
    ["timestamp without time zone", "timestamp with time zone"],
    ["timestamp with time zone", "timestamp without time zone"],
    ["timestamp without time zone", "timestamp(3) without time zone"],
    ["date", "timestamp without time zone"],
    ["integer", "integer[]"],
    ["public.my_domain", "bigint"],
    ["order_status", "text"],
    ["json", "jsonb"],
  ])("%s → %s is not", (from, to) => {
    expect(isSafeWidening(from, to)).toBe(false);
  });
});

describe("renameInSelection", () => {
  it("moves selected names, the Replication Key and view keys to the new names, all at once", () => {
    const state = { tracked: true, method: "key_based" as const, columns: ["id", "a", "b", "new"], replicationKey: ["a"], viewKeyColumns: ["id"] };
    expect(renameInSelection(state, [{ from: "a", to: "b" }, { from: "b", to: "a" }, { from: "id", to: "Id" }])).toEqual({ ...state, columns: ["Id", "b", "a", "new"], replicationKey: ["b"], viewKeyColumns: ["Id"] });
    // Discovery may already have added the new name: it is kept once.
    expect(renameInSelection(state, [{ from: "a", to: "new" }]).columns).toEqual(["id", "new", "b"]);
  });
});
