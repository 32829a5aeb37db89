import { FAILED_ATTEMPTS } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { FixedClock } from "../clock";
import { AppError } from "../errors";
import { START } from "../test-support";
import { FailureLimiter } from "./failure-limiter";

function limiter() {
  const clock = new FixedClock(START);
  return { clock, limiter: new FailureLimiter(clock) };
}

function failTimes(limiter: FailureLimiter, times: number, ...keys: string[]) {
  for (let i = 0; i < times; i++) limiter.fail(...keys);
}

/** The error `check` throws, or undefined when it lets the try through. */
function checkError(limiter: FailureLimiter, ...keys: string[]): AppError | undefined {
  try {
    limiter.check(...keys);
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
    expect(checkError(l, "k")).toBeUndefined();
    l.fail("k");
    const error = checkError(l, "k");
    expect(error?.code).toBe("too_many_attempts");
    expect(error?.message).toBe("Too many wrong tries. Please wait 15 minutes and try again.");
  });

  it("counts the wait down and lets tries through once the window has passed", () => {
    const { clock, limiter: l } = limiter();
    failTimes(l, 5, "k");
    clock.advanceMinutes(14);
    expect(checkError(l, "k")?.message).toBe("Too many wrong tries. Please wait 1 minute and try again.");
    clock.advanceMinutes(1);
    expect(checkError(l, "k")).toBeUndefined();
  });

  it("forgets each failure 15 minutes after it happened", () => {
    const { clock, limiter: l } = limiter();
    failTimes(l, 4, "k");
    clock.advanceMinutes(10);
    l.fail("k");
    expect(checkError(l, "k")).toBeDefined();
    clock.advanceMinutes(5);
    // The first four have gone; one recent failure remains, so four more are allowed.
    failTimes(l, 3, "k");
    expect(checkError(l, "k")).toBeUndefined();
    l.fail("k");
    expect(checkError(l, "k")).toBeDefined();
  });

  it("keeps keys apart, and stops a try when any of its keys is used up", () => {
    const { limiter: l } = limiter();
    failTimes(l, 5, "login:a@example.org", "from:192.0.2.1");
    expect(checkError(l, "login:b@example.org", "from:192.0.2.2")).toBeUndefined();
    expect(checkError(l, "login:b@example.org", "from:192.0.2.1")).toBeDefined();
    expect(checkError(l, "login:a@example.org", "from:192.0.2.2")).toBeDefined();
  });

  it("starts again after a success", () => {
    const { limiter: l } = limiter();
    failTimes(l, 4, "k");
    l.succeed("k");
    failTimes(l, 4, "k");
    expect(checkError(l, "k")).toBeUndefined();
  });
});
