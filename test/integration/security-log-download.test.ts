/**
 * Finding 7 of issue 21 (second half): the log download streams a page at a time instead of building
 * the whole log in memory; the text is the same as before, and another team's job is still a 404.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sql } from "drizzle-orm";
import { jobRuns } from "@/db/schema";
import { runRouteAs } from "@/app/_server/route";
import * as downloadRoute from "@/app/api/jobs/[jobId]/download/route";
import { createAppDatabase, type TTestAppDb } from "../support/databases";
import { createIntegration, createTeamWithUser } from "../support/fixtures";

vi.mock("server-only", () => ({}));

const LINES = 2500;

describe("log download", () => {
  let app: TTestAppDb;
  let jobId: string;
  let session: Parameters<typeof runRouteAs>[1];
  let otherSession: Parameters<typeof runRouteAs>[1];

  beforeAll(async () => {
    app = await createAppDatabase();
    const { team, user } = await createTeamWithUser(app.db, "viewer");
    const integration = await createIntegration(app.db, team.id, { host: "h", port: 5432, user: "u", password: "p", database: "d" });
    const [run] = await app.db.insert(jobRuns).values({ teamId: team.id, integrationId: integration.id, trigger: "manual", status: "succeeded", startedAt: new Date(), finishedAt: new Date() }).returning();
    jobId = run!.id;
    await app.db.execute(sql`INSERT INTO extraction_log_lines (job_run_id, location, level, message)
      SELECT ${jobId}::uuid, 'tap', 'INFO', 'line ' || i || E'\nsecond part' FROM generate_series(1, ${LINES}) i`);
    session = { user: { id: user.id, email: user.email, name: null }, team: { id: team.id, name: team.name }, role: "viewer" };
    const other = await createTeamWithUser(app.db, "owner");
    otherSession = { user: { id: other.user.id, email: other.user.email, name: null }, team: { id: other.team.id, name: other.team.name }, role: "owner" };
  });
  afterAll(async () => app?.close());

  it("arrives in several chunks, every line once and in order", async () => {
    const res = await runRouteAs(downloadRoute.GET, session, new Request(`http://test/api/jobs/${jobId}/download`), { jobId }, { db: app.db });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="extraction-log-.*\.txt"$/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let chunks = 0;
    let text = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      chunks++;
      text += decoder.decode(r.value, { stream: true });
    }
    expect(chunks).toBeGreaterThan(2); // header, then one chunk per page of 1000 lines
    const lines = text.split("\n").filter((l) => / tap INFO line /.test(l));
    expect(lines).toHaveLength(LINES);
    expect(lines.map((l) => Number(/line (\d+)$/.exec(l)![1]))).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
    expect(text).toContain(`# Extraction log of job ${jobId}\n`);
    expect(text).toContain("line 1\n    second part\n");
  });

  it("another team's job is a 404 before any byte", async () => {
    const res = await runRouteAs(downloadRoute.GET, otherSession, new Request(`http://test/api/jobs/${jobId}/download`), { jobId }, { db: app.db });
    expect(res.status).toBe(404);
  });
});
