import { FAILED_ATTEMPTS } from "@letterbox/shared";
import type { Clock } from "../clock";
import type { CounterChanges, LimitStore } from "../db/stores/limit-store";
import { AppError } from "../errors";

/** One try that holds its place in the limits until its outcome is known. */
export interface Attempt {
  /** The guess was wrong: it keeps counting. */
  failed(): Promise<void>;
  /** The guess was right. */
  succeeded(): Promise<void>;
  /** No verdict (a refusal that is not a wrong guess, or an error): the try is given back. Does nothing once settled. */
  release(): Promise<void>;
}

/** An Attempt whose outcomes each run at most once, whichever comes first. */
export function settleOnce(outcomes: {
  failed: () => Promise<void>;
  succeeded: () => Promise<void>;
  release: () => Promise<void>;
}): Attempt {
  let settled = false;
  const once = (then: () => Promise<void>) => () => {
    if (settled) return Promise.resolve();
    settled = true;
    return then();
  };
  return { failed: once(outcomes.failed), succeeded: once(outcomes.succeeded), release: once(outcomes.release) };
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
 * Counts failed guesses (set-up codes, set-up links, invitations) per key, in the database so that
 * every relay instance counts the same ones. After `max` failures inside the window, further tries
 * from that key are refused until the window has passed. A try is counted when it starts, before
 * the slow part (a database lookup, a password hash), so tries sent in parallel cannot all get
 * past a check made before any of them failed.
 */
export class FailureLimiter {
  constructor(
    private readonly counters: LimitStore,
    private readonly clock: Clock,
    private readonly max = FAILED_ATTEMPTS.max,
    private readonly windowMs = FAILED_ATTEMPTS.windowMinutes * 60_000,
  ) {}

  /** Takes a try from every key, or throws `too_many_attempts` if any of them has used up its tries. */
  async reserve(...keys: string[]): Promise<Attempt> {
    const now = this.clock.now().getTime();
    const keep = (times: number[]) => ({ value: times, expiresAt: new Date(Math.max(...times) + this.windowMs).toISOString() });
    // Each key's value: the start times of its tries in the window that have not succeeded.
    await this.counters.change<number[], void>(keys, this.iso(now), (current) => {
      const changes: CounterChanges<number[]> = new Map();
      for (const key of keys) {
        const recent = (current.get(key) ?? []).filter((t) => now - t < this.windowMs);
        if (recent.length >= this.max) throw tooManyAttempts((recent[0] ?? now) + this.windowMs - now);
        changes.set(key, keep([...recent, now]));
      }
      return { changes, result: undefined };
    });
    return settleOnce({
      failed: async () => {},
      succeeded: () =>
        this.counters.change(keys, this.iso(), () => ({ changes: new Map(keys.map((k) => [k, undefined])), result: undefined })),
      release: () =>
        this.counters.change<number[], void>(keys, this.iso(), (current) => {
          const changes: CounterChanges<number[]> = new Map();
          for (const key of keys) {
            const times = [...(current.get(key) ?? [])];
            const at = times.indexOf(now);
            if (at >= 0) times.splice(at, 1);
            changes.set(key, times.length === 0 ? undefined : keep(times));
          }
          return { changes, result: undefined };
        }),
    });
  }

  private iso(ms = this.clock.now().getTime()) {
    return new Date(ms).toISOString();
  }
}
