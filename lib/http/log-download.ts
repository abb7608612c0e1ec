import type { TDbOrTx } from "@/db/client";
import { getJobLog, type TJobSummary } from "@/lib/reports/jobs";

/** Lines read per query: the download never holds more than one page in memory. */
const PAGE = 1000;

type TLine = { ts: string; location: string; level: string; message: string };

const formatLine = (l: TLine): string => `${l.ts} ${l.location} ${l.level} ${l.message.replace(/\r?\n/g, "\n    ")}\n`;

function headerOf(job: TJobSummary): string {
  return [
    `# Extraction log of job ${job.id}`,
    `# status: ${job.status}; trigger: ${job.trigger}; queued ${job.queuedAt}; started ${job.startedAt ?? "-"}; finished ${job.finishedAt ?? "-"}; rows loaded ${job.rowsLoaded}`,
    ...(job.error ? [`# error: ${job.error}`] : []),
  ]
    .map((l) => `${l}\n`)
    .join("");
}

/**
 * A job's extraction log as a text file, streamed a page at a time (a log of millions of lines is not
 * built in memory). The first page is read before returning, so another team's job is NOT_FOUND before
 * any byte is sent.
 */
export async function jobLogDownload(db: TDbOrTx, teamId: string, jobId: string): Promise<{ filename: string; body: ReadableStream<Uint8Array> }> {
  const first = await getJobLog(db, teamId, jobId, { limit: PAGE });
  const encoder = new TextEncoder();
  let page: { lines: TLine[]; lastId: number } | null = first;
  let header: string | null = headerOf(first.job);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (header !== null) {
        controller.enqueue(encoder.encode(header));
        header = null;
        return;
      }
      if (!page) {
        controller.close();
        return;
      }
      const current: { lines: TLine[]; lastId: number } = page;
      if (current.lines.length > 0) controller.enqueue(encoder.encode(current.lines.map(formatLine).join("")));
      page = current.lines.length < PAGE ? null : await getJobLog(db, teamId, jobId, { afterId: current.lastId, limit: PAGE });
    },
  });
  const stamp = (first.job.startedAt ?? first.job.queuedAt).replace(/[:.]/g, "-");
  return { filename: `extraction-log-${stamp}-${first.job.id.slice(0, 8)}.txt`, body };
}
