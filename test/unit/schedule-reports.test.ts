import { describe, expect, it } from "vitest";
import { explainFailure } from "@/lib/reports/failure";
import { tableLabel, formatDuration } from "@/components/reports/format";

describe("a failed job's reason in actionable words", () => {
  it("turns common driver errors into what to check", () => {
    expect(explainFailure("connect ECONNREFUSED 10.0.0.5:5432")).toBe(
      "The database refused the connection at 10.0.0.5:5432. Check that PostgreSQL is running and that Host (Endpoint) and Port in Settings are right.",
    );
    expect(explainFailure("getaddrinfo ENOTFOUND db.example.internal")).toContain("db.example.internal could not be resolved");
    expect(explainFailure('permission denied for table "public"."orders"')).toContain('GRANT SELECT ON "public"."orders" TO <user>;');
    expect(explainFailure('replication slot "stitch_shop" does not exist')).toContain("Create it from the prerequisite report");
    expect(explainFailure("The worker running this job stopped responding; the next job resumes from the last saved bookmark.")).toContain("Nothing is lost");
  });

  it("says nothing it cannot back up", () => {
    expect(explainFailure("something entirely different")).toBeNull();
    expect(explainFailure(null)).toBeNull();
  });
});

describe("display helpers", () => {
  it("shows a table key as schema.table, unquoting names with quotes and dots", () => {
    expect(tableLabel('"demo"."public"."orders"')).toBe("public.orders");
    expect(tableLabel('"d"."My Schema"."we""ird.name"')).toBe('My Schema.we"ird.name');
    expect(tableLabel("unparsed")).toBe("unparsed");
  });
  it("formats durations", () => {
    expect([formatDuration(null), formatDuration(4_400), formatDuration(125_000), formatDuration(3_725_000)]).toEqual(["—", "4s", "2m 5s", "1h 2m"]);
  });
});
