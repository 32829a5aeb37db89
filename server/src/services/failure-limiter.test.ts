import { FAILED_ATTEMPTS } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { FixedClock } from "../clock";
import { AppError } from "../errors";
import { type Engine, engines } from "../test-databases";
import { openTestDatabase, START } from "../test-support";
import { FailureLimiter, waitInWords } from "./failure-limiter";

/** A limiter on a real database, as the relay runs it. */
async function limiter(engine: Engine) {
  const clock = new FixedClock(START);
  const { store } = await openTestDatabase({ engine });
  return { clock, store, limiter: new FailureLimiter(store.limits, clock) };
}

async function failTimes(limiter: FailureLimiter, times: number, ...keys: string[]) {
  for (let i = 0; i < times; i++) await (await limiter.reserve(...keys)).failed();
}

/** The error a new try meets, or undefined when it is let through (and then given back). */
async function refusal(limiter: FailureLimiter, ...keys: string[]): Promise<AppError | undefined> {
  try {
    await (await limiter.reserve(...keys)).release();
    return undefined;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
}

describe.each(engines)("FailureLimiter on $name", (engine) => {
  it("lets four failures through and stops the fifth, with how long to wait", async () => {
    const { limiter: l } = await limiter(engine);
    await failTimes(l, FAILED_ATTEMPTS.max - 1, "k");
    expect(await refusal(l, "k")).toBeUndefined();
    await (await l.reserve("k")).failed();
    const error = await refusal(l, "k");
    expect(error?.code).toBe("too_many_attempts");
    expect(error?.message).toBe("Too many wrong tries. Please wait 15 minutes and try again.");
    expect(error?.retryAfterSeconds).toBe(15 * 60);
  });

  it("counts a try from the moment it starts, so tries in parallel cannot all get past the limit", async () => {
    const { limiter: l } = await limiter(engine);
    // All at once, and none of them has failed yet: each is still waiting on its slow part.
    const tries = await Promise.allSettled(Array.from({ length: 40 }, () => l.reserve("k")));
    expect(tries.filter((t) => t.status === "fulfilled")).toHaveLength(FAILED_ATTEMPTS.max);
    expect(tries.filter((t) => t.status === "rejected").map((t) => (t.reason as AppError).code)).toEqual(
      Array(40 - FAILED_ATTEMPTS.max).fill("too_many_attempts"),
    );
  });

  it("gives a try back when it ends without a verdict", async () => {
    const { limiter: l } = await limiter(engine);
    await failTimes(l, FAILED_ATTEMPTS.max - 1, "k");
    const attempt = await l.reserve("k");
    expect((await refusal(l, "k"))?.code).toBe("too_many_attempts");
    await attempt.release();
    expect(await refusal(l, "k")).toBeUndefined();
    // Settled once: a later release changes nothing.
    const failed = await l.reserve("k");
    await failed.failed();
    await failed.release();
    expect((await refusal(l, "k"))?.code).toBe("too_many_attempts");
  });

  it("counts the wait down and lets tries through once the window has passed", async () => {
    const { clock, limiter: l } = await limiter(engine);
    await failTimes(l, 5, "k");
    clock.advanceMinutes(14);
    expect((await refusal(l, "k"))?.message).toBe("Too many wrong tries. Please wait 1 minute and try again.");
    clock.advanceMinutes(1);
    expect(await refusal(l, "k")).toBeUndefined();
  });

  it("forgets each failure 15 minutes after it happened", async () => {
    const { clock, limiter: l } = await limiter(engine);
    await failTimes(l, 4, "k");
    clock.advanceMinutes(10);
    await (await l.reserve("k")).failed();
    expect(await refusal(l, "k")).toBeDefined();
    clock.advanceMinutes(5);
    // The first four have gone; one recent failure remains, so four more are allowed.
    await failTimes(l, 3, "k");
    expect(await refusal(l, "k")).toBeUndefined();
    await (await l.reserve("k")).failed();
    expect(await refusal(l, "k")).toBeDefined();
  });

  it("keeps keys apart, and stops a try when any of its keys is used up", async () => {
    const { limiter: l } = await limiter(engine);
    await failTimes(l, 5, "pair:192.0.2.1", "setup:192.0.2.1");
    expect(await refusal(l, "pair:192.0.2.2", "setup:192.0.2.2")).toBeUndefined();
    expect(await refusal(l, "pair:192.0.2.2", "setup:192.0.2.1")).toBeDefined();
  });

  it("starts again after a success", async () => {
    const { limiter: l } = await limiter(engine);
    await failTimes(l, 4, "k");
    await (await l.reserve("k")).succeeded();
    await failTimes(l, 4, "k");
    expect(await refusal(l, "k")).toBeUndefined();
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
