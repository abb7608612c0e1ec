import { describe, expect, it } from "vitest";
import { jobSqlLog } from "@/lib/jobs/sql-log";

describe("the destination's statements in a job's log", () => {
  const merge = (at: string, version: number) =>
    `MERGE INTO "s"."t" AS d USING (SELECT "id" AS "id", "v" AS "v", '${at}'::timestamptz AS "_sdc_extracted_at", ${version}::bigint AS "_sdc_table_version" FROM "_sdc_chg_1") AS s ON d."id" = s."id" WHEN MATCHED THEN UPDATE SET "v" = s."v" WHEN NOT MATCHED THEN INSERT ("id", "v") VALUES (s."id", s."v")`;

  it("writes a long statement in full once, then its opening and a pointer when only its values differ", () => {
    const lines: string[] = [];
    const log = jobSqlLog((l) => lines.push(l));
    log(merge("2026-01-01T00:00:00.000Z", 1));
    log(merge("2026-01-01T00:00:01.000Z", 2));
    log(merge("2026-01-01T00:00:02.000Z", 2).replace('"v" = s."v"', '"v" = s."v", "w" = s."w"'));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(merge("2026-01-01T00:00:00.000Z", 1));
    expect(lines[1]).toBe(`${merge("2026-01-01T00:00:01.000Z", 2).slice(0, 100).trimEnd()} … (the statement above again, with this batch's values)`);
    // Another shape (another column set) is new: in full.
    expect(lines[2]).toContain('"w" = s."w"');
    expect(lines[2]).not.toContain("statement above");
  });

  it("writes short statements as they are, every time", () => {
    const lines: string[] = [];
    const log = jobSqlLog((l) => lines.push(l));
    const copy = `COPY "_sdc_chg_1" ("id", "v", "_sdc_sequence") FROM STDIN (FORMAT binary)`;
    log(copy);
    log(copy);
    expect(lines).toEqual([copy, copy]);
  });
});
