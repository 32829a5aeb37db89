import { describe, expect, it } from "vitest";
import { ago, batteryWords, bytes, dateTime, duration, persistedWords, pushHealthWords, pushWords, storageWords } from "./format";

const HOUR = 3_600_000;

describe("plain words for times and sizes", () => {
  it("says a duration in minutes, then hours up to two days, then days", () => {
    expect(duration(10_000)).toBe("1 minute");
    expect(duration(45 * 60_000)).toBe("45 minutes");
    expect(duration(HOUR)).toBe("1 hour");
    expect(duration(47 * HOUR)).toBe("47 hours");
    expect(duration(48 * HOUR)).toBe("2 days");
    expect(duration(14 * 24 * HOUR + 5 * HOUR)).toBe("14 days");
  });

  it("says how long ago", () => {
    const now = new Date("2026-11-28T10:32:00Z");
    expect(ago("2026-11-28T10:31:30Z", now)).toBe("just now");
    expect(ago("2026-11-28T07:32:00Z", now)).toBe("3 hours ago");
  });

  it("writes a date and time the British way", () => {
    expect(dateTime(new Date(2026, 10, 28, 9, 5).toISOString())).toBe("28 November 2026 at 09:05");
  });

  it("writes storage in KB, MB and GB", () => {
    expect(bytes(0)).toBe("0 KB");
    expect(bytes(512_000)).toBe("512 KB");
    expect(bytes(12_340_000)).toBe("12.3 MB");
    expect(bytes(2_000_000_000)).toBe("2 GB");
    expect(storageWords(12_340_000, 2_000_000_000)).toBe("12.3 MB of 2 GB");
    expect(storageWords(null, null)).toBe("Not reported yet");
  });

  it("says the battery's level and whether it charges, or that the tablet's browser gives none", () => {
    expect(batteryWords({ level: 0.64, charging: true }, true)).toBe("64%, charging");
    expect(batteryWords({ level: 0.2, charging: false }, true)).toBe("20%, not charging");
    expect(batteryWords(null, true)).toBe("Not reported by this tablet’s browser");
    expect(batteryWords(null, false)).toBe("Not reported yet");
  });

  it("says whether push and persistent storage work", () => {
    expect(pushWords("subscribed")).toBe("Working");
    expect(pushWords("permission_denied")).toMatch(/^Not working: notifications were not allowed/);
    expect(pushWords(null)).toBe("Not reported yet");
    expect(pushWords("something_new")).toBe("Not working (something_new)");
    const now = new Date(2026, 10, 28, 12, 0);
    const healthy = { pushState: "subscribed", pushFailingSince: null, pushProblem: null } as const;
    expect(pushHealthWords(healthy, now)).toBe("Working");
    expect(
      pushHealthWords(
        { ...healthy, pushFailingSince: new Date(2026, 10, 28, 8, 15).toISOString(), pushProblem: "rate_limited" },
        now,
      ),
    ).toBe("Failing since 08:15: the push service is turning our pushes away as too many");
    expect(
      pushHealthWords(
        { pushState: "expired", pushFailingSince: new Date(2026, 10, 1, 8, 15).toISOString(), pushProblem: "gone" },
        now,
      ),
    ).toBe("Failing since 1 November 2026 at 08:15: the subscription was removed by the browser’s push service");
    expect(persistedWords(true)).toBe("Yes, kept safe");
    expect(persistedWords(false)).toMatch(/^No:/);
  });
});
