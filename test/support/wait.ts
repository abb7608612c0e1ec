import { vi } from "vitest";

/** Polls until `fn` gives something truthy and returns it (wait on events, never sleep); fails after the timeout. */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, what = "the condition"): Promise<T> {
  try {
    return (await vi.waitUntil(fn, { timeout: timeoutMs, interval: 50 })) as T;
  } catch {
    throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
  }
}
