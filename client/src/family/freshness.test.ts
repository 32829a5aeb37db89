import { describe, expect, it } from "vitest";
import { shouldPoll } from "./freshness";

describe("shouldPoll", () => {
  it("leaves it to the live connection while that is open", () => {
    expect(shouldPoll(true, "open")).toBe(false);
  });

  it("polls while the live connection is opening or down", () => {
    expect(shouldPoll(true, "connecting")).toBe(true);
    expect(shouldPoll(true, "down")).toBe(true);
  });

  it("asks nothing while the page is hidden", () => {
    expect(shouldPoll(false, "down")).toBe(false);
    expect(shouldPoll(false, "open")).toBe(false);
  });
});
