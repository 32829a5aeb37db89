/**
 * A relay call that did not succeed. `status` 0 means the relay was never reached. The tablet never
 * shows any of this to the resident: it decides only whether to try again later or give up on one
 * item, and the staff corner counts what was given up.
 */
export class RelayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    /** The relay's own sentence, for staff during set-up; never shown to the resident. */
    readonly sentence = "",
  ) {
    super(`relay answered ${status} ${code}`);
    this.name = "RelayError";
  }

  /** Worth trying again later: no network, the relay busy or restarting, or asked to slow down. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }

  /** The relay does not know this tablet any more (wiped or replaced by staff). */
  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

/** Anything thrown while talking to the relay, as a RelayError (unknown failures count as no network). */
export const asRelayError = (err: unknown): RelayError => (err instanceof RelayError ? err : new RelayError(0, "network"));
