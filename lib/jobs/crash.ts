/** The words for a job ended by its worker's death; free of server imports so the UI can use them too. */
export const CRASH_MESSAGE = "The worker stopped responding; the next job resumes from the last saved position.";
export const HANDOFF_CRASH_MESSAGE = "The worker stopped responding while taking this job, before it started; the next job resumes from the last saved position.";

/** True for the error of a run the sweep ended because its worker died. */
export function isCrashError(error: string | null | undefined): boolean {
  return !!error && /stopped responding/i.test(error);
}
