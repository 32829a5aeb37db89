import { describe, expect, it } from "vitest";
import { doublingDelay, jittered } from "./backoff";

describe("waiting after failures", () => {
  it("starts at the base, doubles with each failure in a row, and stops at the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => doublingDelay(n, 2_000, 60_000))).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000,
    ]);
    expect(doublingDelay(0, 2_000, 60_000)).toBe(2_000);
  });

  it("jitters between half and all of the wait", () => {
    expect(jittered(8_000, () => 0)).toBe(4_000);
    expect(jittered(8_000, () => 0.999999)).toBe(8_000);
  });
});
