"use client";
import { isCrashError } from "@/lib/jobs/crash";
import { useIntegrationState } from "./integration-state";

/**
 * Under the header while the Sync Status is Failed: what failed (the job's error names each failed table
 * and why), what to do, and whether the other tables loaded.
 */
export function LastJobFailure({ integrationId }: { integrationId: string }) {
  const { data } = useIntegrationState(integrationId);
  if (!data || data.status !== "Failed" || !data.lastError) return null;
  // A crash is not the source's or the settings' fault: say so, so nobody goes looking there.
  const crashed = isCrashError(data.lastError);
  return (
    <section aria-label="Last job failed" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
      <p className="font-semibold">{crashed ? "The last job was ended by a crash" : "The last job failed"}: {data.lastError}</p>
      {data.advice ? <p className="mt-1">{data.advice}</p> : null}
      {/* Plain words, not links: the tabs right below are the way there (and keep their names unique). */}
      <p className="mt-1 text-red-700">
        {data.partialFailure ? "The other tables' rows are loaded. The next job retries the failed tables." : "The next job starts from the last saved bookmarks."} The tabs below
        show each table&apos;s error.
      </p>
    </section>
  );
}
