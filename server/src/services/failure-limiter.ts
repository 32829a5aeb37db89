import { FAILED_ATTEMPTS } from "@letterbox/shared";
import type { Clock } from "../clock";
import { AppError } from "../errors";

/**
 * Counts failed guesses (set-up codes, passwords) per key in memory. After `max` failures inside
 * the window, further tries from that key are refused until the window has passed. A relay
 * restart forgets the counts, which costs an attacker a restart per five guesses: acceptable.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly max = FAILED_ATTEMPTS.max,
    private readonly windowMs = FAILED_ATTEMPTS.windowMinutes * 60_000,
  ) {}

  /** Throws `too_many_attempts` if any of the keys has used up its tries. */
  check(...keys: string[]): void {
    const now = this.clock.now().getTime();
    for (const key of keys) {
      const recent = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
      if (recent.length === 0) this.failures.delete(key);
      else this.failures.set(key, recent);
      if (recent.length >= this.max) {
        const minutes = Math.ceil(((recent[0] ?? now) + this.windowMs - now) / 60_000);
        throw new AppError(
          "too_many_attempts",
          `Too many wrong tries. Please wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again.`,
        );
      }
    }
  }

  fail(...keys: string[]): void {
    const now = this.clock.now().getTime();
    for (const key of keys) this.failures.set(key, [...(this.failures.get(key) ?? []), now]);
  }

  succeed(...keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}
