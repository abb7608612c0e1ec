import type { TDb } from "@/db/client";
import { extractionLogLines, type TLogLevel, type TLogLocation } from "@/db/schema";

export type TJobLogger = {
  info(location: TLogLocation, message: string): void;
  warn(location: TLogLocation, message: string): void;
  error(location: TLogLocation, message: string): void;
  critical(location: TLogLocation, message: string): void;
  /** Writes everything buffered; call before the job's status changes. */
  flush(): Promise<void>;
};

/**
 * Extraction log lines, buffered briefly and written in batches so a busy job does not do one insert per
 * line, yet the UI sees them within a fraction of a second.
 */
export function createJobLogger(db: TDb, jobRunId: string, flushEveryMs = 250): TJobLogger {
  let buffer: { jobRunId: string; ts: Date; location: TLogLocation; level: TLogLevel; message: string }[] = [];
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = buffer;
    buffer = [];
    if (batch.length > 0) chain = chain.then(() => db.insert(extractionLogLines).values(batch).then(() => undefined));
    return chain;
  };
  const add = (level: TLogLevel) => (location: TLogLocation, message: string) => {
    buffer.push({ jobRunId, ts: new Date(), location, level, message });
    timer ??= setTimeout(() => void flush().catch(() => undefined), flushEveryMs);
  };
  return { info: add("INFO"), warn: add("WARNING"), error: add("ERROR"), critical: add("CRITICAL"), flush };
}
