export type TAppErrorCode =
  | "VALIDATION"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "CONNECTION"
  | "INTERNAL";

/** The one error class of the domain: a code for callers and a message fit for the user. */
export class AppError extends Error {
  constructor(
    public readonly code: TAppErrorCode,
    message: string,
    /** Field name → message, shown next to the field. */
    public readonly fieldErrors: Record<string, string> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}
