import { getDb } from "@/db/client";
import { jobsPerDay, listJobs } from "@/lib/reports/jobs";
import { ExtractionLogs } from "@/components/logs/extraction-logs";
import { requireSessionContext } from "@/lib/server/session";

/** Extraction Logs tab: jobs of the last 60 days, a daily chart, and one job's live log (?job=<id>). */
export default async function ExtractionLogsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ job?: string }> }) {
  const session = await requireSessionContext();
  const { id } = await params;
  const { job } = await searchParams;
  const db = getDb();
  const [jobs, perDay] = [await listJobs(db, session.team.id, id), await jobsPerDay(db, session.team.id, id)];
  const selected = job && /^[0-9a-f-]{36}$/i.test(job) ? job : null;
  return <ExtractionLogs integrationId={id} selectedJobId={selected} initial={{ jobs, perDay }} />;
}
