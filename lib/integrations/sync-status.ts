import type { TJobStatus } from "@/db/schema";

export type TSyncStatus = "Pending" | "Running" | "Succeeded" | "Failed" | "Paused";

/** The dashboard's Sync Status from the integration's pause flag and its latest job. */
export function syncStatusOf(paused: boolean, latestJob: TJobStatus | null): TSyncStatus {
  if (paused) return "Paused";
  if (latestJob === "running") return "Running";
  if (latestJob === "failed") return "Failed";
  // A stopped job ended cleanly with its bookmarks saved, so it counts as a success.
  if (latestJob === "succeeded" || latestJob === "stopped") return "Succeeded";
  return "Pending";
}
