import { describe, expect, it } from "vitest";
import { dayAndDate, sentInWords } from "./when";

// Local times: the tablet speaks in the resident's own day.
const now = new Date(2026, 10, 28, 16, 0);

describe("sentInWords", () => {
  it.each([
    [new Date(2026, 10, 28, 10, 32), "This morning, 10:32"],
    [new Date(2026, 10, 28, 14, 5), "This afternoon, 14:05"],
    [new Date(2026, 10, 27, 19, 45), "Yesterday evening, 19:45"],
    [new Date(2026, 10, 24, 9, 0), "Tuesday 24 November"],
    [new Date(2025, 11, 25, 9, 0), "Thursday 25 December 2025"],
  ])("%s reads as %s", (sent, words) => {
    expect(sentInWords(sent, now)).toBe(words);
  });
});

describe("dayAndDate", () => {
  it("names the weekday, the day and the month", () => {
    expect(dayAndDate(now)).toBe("Saturday 28 November");
  });
});
