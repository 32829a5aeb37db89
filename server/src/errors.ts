import type { ErrorCode } from "@letterbox/shared";

/**
 * A failure the person on the other end can act on. Services throw it; `http/errors.ts` maps the
 * code to an HTTP status in one place.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For refusals that pass: sent as Retry-After, so scripts and proxies back off too. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "AppError";
  }
}
