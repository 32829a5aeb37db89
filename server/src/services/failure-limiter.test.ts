import { FAILED_ATTEMPTS } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { FixedClock } from "../clock";
import { AppError } from "../errors";
import { START } from "../test-support";
import { FailureLimiter, waitInWords } from "./failure-limiter";

function limiter() {
  const clock = new FixedClock(START);
  return { clock, limiter: new FailureLimiter(clock) };
}

function failTimes(limiter: FailureLimiter, times: number, ...keys: string[]) {
  for (let i = 0; i < times; i++) limiter.reserve(...keys).failed();
}

/** The error a new try meets, or undefined when it is let through (and then given back). */
function refusal(limiter: FailureLimiter, ...keys: string[]): AppError | undefined {
  try {
    limiter.reserve(...keys).release();
    return undefined;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
}

describe("FailureLimiter", () => {
  it("lets four failures through and stops the fifth, with how long to wait", () => {
    const { limiter: l } = limiter();
    failTimes(l, FAILED_ATTEMPTS.max - 1, "k");
    expect(refusal(l, "k")).toBeUndefined();
    l.reserve("k").failed();
    const error = refusal(l, "k");
    expect(error?.code).toBe("too_many_attempts");
    expect(error?.message).toBe("Too many wrong tries. Please wait 15 minutes and try again.");
    expect(error?.retryAfterSeconds).toBe(15 * 60);
  });

  it("counts a try from the moment it starts, so tries in parallel cannot all get past the limit", () => {
    const { limiter: l } = limiter();
    const started = [];
    let refused = 0;
    // None of them has failed yet: each is still waiting on its slow part.
    for (let i = 0; i < 40; i++) {
      try {
        started.push(l.reserve("k"));
      } catch {
        refused++;
      }
    }
    expect(started).toHaveLength(FAILED_ATTEMPTS.max);
    expect(refused).toBe(40 - FAILED_ATTEMPTS.max);
  });

  it("gives a try back when it ends without a verdict", () => {
    const { limiter: l } = limiter();
    failTimes(l, FAILED_ATTEMPTS.max - 1, "k");
    const attempt = l.reserve("k");
    expect(refusal(l, "k")?.code).toBe("too_many_attempts");
    attempt.release();
    expect(refusal(l, "k")).toBeUndefined();
    // Settled once: a later release changes nothing.
    const failed = l.reserve("k");
    failed.failed();
    failed.release();
    expect(refusal(l, "k")?.code).toBe("too_many_attempts");
  });

  it("counts the wait down and lets tries through once the window has passed", () => {
    const { clock, limiter: l } = limiter();
    failTimes(l, 5, "k");
    clock.advanceMinutes(14);
    expect(refusal(l, "k")?.message).toBe("Too many wrong tries. Please wait 1 minute and try again.");
    clock.advanceMinutes(1);
    expect(refusal(l, "k")).toBeUndefined();
  });

  it("forgets each failure 15 minutes after it happened", () => {
    const { clock, limiter: l } = limiter();
    failTimes(l, 4, "k");
    clock.advanceMinutes(10);
    l.reserve("k").failed();
    expect(refusal(l, "k")).toBeDefined();
    clock.advanceMinutes(5);
    // The first four have gone; one recent failure remains, so four more are allowed.
    failTimes(l, 3, "k");
    expect(refusal(l, "k")).toBeUndefined();
    l.reserve("k").failed();
    expect(refusal(l, "k")).toBeDefined();
  });

  it("keeps keys apart, and stops a try when any of its keys is used up", () => {
    const { limiter: l } = limiter();
    failTimes(l, 5, "pair:192.0.2.1", "setup:192.0.2.1");
    expect(refusal(l, "pair:192.0.2.2", "setup:192.0.2.2")).toBeUndefined();
    expect(refusal(l, "pair:192.0.2.2", "setup:192.0.2.1")).toBeDefined();
  });

  it("starts again after a success", () => {
    const { limiter: l } = limiter();
    failTimes(l, 4, "k");
    l.reserve("k").succeeded();
    failTimes(l, 4, "k");
    expect(refusal(l, "k")).toBeUndefined();
  });
});

describe("waitInWords", () => {
  it("says seconds under a minute, and whole minutes rounded up above it", () => {
    expect([1, 999, 30_000, 59_001, 60_000, 60_001, 900_000].map(waitInWords)).toEqual([
      "1 second",
      "1 second",
      "30 seconds",
      "1 minute",
      "1 minute",
      "2 minutes",
      "15 minutes",
    ]);
  });
});
