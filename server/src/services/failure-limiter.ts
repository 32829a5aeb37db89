import { FAILED_ATTEMPTS } from "@letterbox/shared";
import type { Clock } from "../clock";
import { AppError } from "../errors";

/** One try that holds its place in the limits until its outcome is known. */
export interface Attempt {
  /** The guess was wrong: it keeps counting. */
  failed(): void;
  /** The guess was right. */
  succeeded(): void;
  /** No verdict (a refusal that is not a wrong guess, or an error): the try is given back. Does nothing once settled. */
  release(): void;
}

/** How long to wait, in words: "30 seconds", "1 minute", "15 minutes". */
export function waitInWords(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

export function tooManyAttempts(waitMs: number): AppError {
  return new AppError(
    "too_many_attempts",
    `Too many wrong tries. Please wait ${waitInWords(waitMs)} and try again.`,
    Math.ceil(waitMs / 1000),
  );
}

/**
 * Counts failed guesses (set-up codes, set-up links, invitations) per key in memory. After `max`
 * failures inside the window, further tries from that key are refused until the window has passed.
 * A try is counted when it starts, before the slow part (a database lookup, a password hash), so
 * tries sent in parallel cannot all get past a check made before any of them failed. A relay
 * restart forgets the counts, which costs an attacker a restart per five guesses: acceptable.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly max = FAILED_ATTEMPTS.max,
    private readonly windowMs = FAILED_ATTEMPTS.windowMinutes * 60_000,
  ) {}

  /** Takes a try from every key, or throws `too_many_attempts` if any of them has used up its tries. */
  reserve(...keys: string[]): Attempt {
    const now = this.clock.now().getTime();
    for (const key of keys) {
      const recent = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
      if (recent.length === 0) this.failures.delete(key);
      else this.failures.set(key, recent);
      if (recent.length >= this.max) throw tooManyAttempts((recent[0] ?? now) + this.windowMs - now);
    }
    for (const key of keys) this.failures.set(key, [...(this.failures.get(key) ?? []), now]);
    let settled = false;
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      then();
    };
    return {
      failed: () => settle(() => {}),
      succeeded: () => settle(() => this.forget(keys)),
      release: () =>
        settle(() => {
          for (const key of keys) {
            const times = this.failures.get(key) ?? [];
            const at = times.indexOf(now);
            if (at >= 0) times.splice(at, 1);
            if (times.length === 0) this.failures.delete(key);
          }
        }),
    };
  }

  private forget(keys: string[]) {
    for (const key of keys) this.failures.delete(key);
  }
}
