import type { ErrorCode } from "@letterbox/shared";

/**
 * A relay call that did not succeed, the same for the tablet, the family page and the console.
 * `status` 0 (code "network") means the relay was never reached; otherwise `code` is the relay's
 * stable code and `message` its plain-English sentence, which the family page and the console may
 * show (the tablet never shows any of it to the resident).
 */
export class RelayError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "network",
    message = "",
  ) {
    super(message);
    this.name = "RelayError";
  }

  /** Worth trying again later by itself: no network, the relay busy, restarting or briefly broken, or asked to slow down. */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }

  /** The relay does not know this token any more (a tablet wiped or replaced by staff, a signed-out console, a wrong link). */
  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

export const NETWORK_SENTENCE = "Letterbox could not be reached. Check the internet connection and try again.";
const UNKNOWN_SENTENCE = "Something went wrong. Please try again in a minute.";

export const unreachable = () => new RelayError(0, "network", NETWORK_SENTENCE);

/**
 * The relay's `{ error: { code, message } }` as a RelayError, read by hand rather than with the
 * contract's zod schema: a runtime import of `@letterbox/shared` would bring all of zod onto the
 * tablet's and family page's first load. Anything else (a proxy's HTML page) is "internal".
 */
export function errorFrom(status: number, body: unknown): RelayError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null | undefined)?.error;
  if (typeof error?.code === "string" && typeof error.message === "string") {
    return new RelayError(status, error.code as ErrorCode, error.message);
  }
  return new RelayError(status, "internal", UNKNOWN_SENTENCE);
}

/** Anything thrown while talking to the relay, as a RelayError (unknown failures count as no network). */
export const asRelayError = (err: unknown): RelayError => (err instanceof RelayError ? err : unreachable());
