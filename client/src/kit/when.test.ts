import { describe, expect, it } from "vitest";
import { tabletText as cy } from "../i18n/tablet-cy";
import { tabletText as en } from "../i18n/tablet-en-GB";
import { dayAndDate, inQuietHours, nightDate, sentInWords, sinceInWords } from "./when";

// Local times: the tablet speaks in the resident's own day.
const now = new Date(2026, 10, 28, 16, 0);

describe("sentInWords", () => {
  it.each([
    [new Date(2026, 10, 28, 10, 32), "This morning, 10:32", "Y bore ’ma, 10:32"],
    [new Date(2026, 10, 28, 14, 5), "This afternoon, 14:05", "Y prynhawn ’ma, 14:05"],
    [new Date(2026, 10, 28, 19, 5), "This evening, 19:05", "Heno, 19:05"],
    [new Date(2026, 10, 27, 8, 15), "Yesterday morning, 08:15", "Bore ddoe, 08:15"],
    [new Date(2026, 10, 27, 15, 0), "Yesterday afternoon, 15:00", "Prynhawn ddoe, 15:00"],
    [new Date(2026, 10, 27, 19, 45), "Yesterday evening, 19:45", "Neithiwr, 19:45"],
    [new Date(2026, 10, 24, 9, 0), "Tuesday 24 November", "Dydd Mawrth, 24 Tachwedd"],
    [new Date(2025, 11, 25, 9, 0), "Thursday 25 December 2025", "Dydd Iau, 25 Rhagfyr 2025"],
  ])("%s reads as “%s” and “%s”", (sent, english, welsh) => {
    expect(sentInWords(sent, now, en)).toBe(english);
    expect(sentInWords(sent, now, cy)).toBe(welsh);
  });

  it("counts days by the calendar, not by 24-hour spans", () => {
    const justAfterMidnight = new Date(2026, 10, 29, 0, 5);
    expect(sentInWords(new Date(2026, 10, 28, 23, 50), justAfterMidnight, en)).toBe("Yesterday evening, 23:50");
  });
});

describe("dayAndDate", () => {
  it("names the weekday, the day and the month in both languages", () => {
    expect(dayAndDate(now, en)).toBe("Saturday 28 November");
    expect(dayAndDate(now, cy)).toBe("Dydd Sadwrn, 28 Tachwedd");
  });

  it.each([en, cy])("the $lang catalogue's weekdays and months agree with Intl (where Intl knows the language)", (words) => {
    const weekday = new Intl.DateTimeFormat(words.lang, { weekday: "long" });
    const month = new Intl.DateTimeFormat(words.lang, { month: "long" });
    expect(Intl.DateTimeFormat.supportedLocalesOf([words.lang])).toEqual([words.lang]);
    expect(words.weekdays).toEqual(Array.from({ length: 7 }, (_, i) => weekday.format(new Date(2026, 0, 4 + i))));
    expect(words.months.map((m) => m.toLowerCase())).toEqual(
      Array.from({ length: 12 }, (_, i) => month.format(new Date(2026, i, 1)).toLowerCase()),
    );
  });
});

describe("the night clock's line", () => {
  it.each([
    [new Date(2026, 10, 28, 23, 47), "Saturday night, 28 November", "Nos Sadwrn, 28 Tachwedd"],
    [new Date(2026, 10, 30, 21, 30), "Monday night, 30 November", "Nos Lun, 30 Tachwedd"],
    [new Date(2026, 10, 29, 6, 10), "Sunday morning, 29 November", "Bore Sul, 29 Tachwedd"],
    [new Date(2026, 11, 4, 19, 0), "Friday evening, 4 December", "Nos Wener, 4 Rhagfyr"],
  ])("%s reads as “%s” and “%s”", (at, english, welsh) => {
    expect(nightDate(at, en)).toBe(english);
    expect(nightDate(at, cy)).toBe(welsh);
  });
});

describe("sinceInWords", () => {
  it("is the time today, and the day and time before that", () => {
    expect(sinceInWords(new Date(2026, 10, 28, 10, 32), now, en)).toBe("10:32");
    expect(sinceInWords(new Date(2026, 10, 27, 10, 32), now, cy)).toBe("Dydd Gwener, 27 Tachwedd, 10:32");
  });
});

describe("inQuietHours", () => {
  const night = { start: "21:00", end: "08:00" };
  it.each([
    [20, 59, false],
    [21, 0, true],
    [23, 47, true],
    [3, 0, true],
    [7, 59, true],
    [8, 0, false],
    [12, 0, false],
  ])("%i:%i is quiet: %s (21:00–08:00, across midnight)", (h, m, quiet) => {
    expect(inQuietHours(new Date(2026, 10, 28, h, m), night)).toBe(quiet);
  });

  it("works within one day, and not at all when there are none", () => {
    expect(inQuietHours(new Date(2026, 10, 28, 14, 0), { start: "13:00", end: "15:00" })).toBe(true);
    expect(inQuietHours(new Date(2026, 10, 28, 16, 0), { start: "13:00", end: "15:00" })).toBe(false);
    expect(inQuietHours(new Date(2026, 10, 28, 23, 0), null)).toBe(false);
  });
});
