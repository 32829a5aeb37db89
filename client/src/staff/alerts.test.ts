import { ALERTS, type DashboardRow } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { ALERT_TONE, alertText, FILTER_REASONS, REASON_WORDS } from "./alerts";

const TONES = ["urgent", "warning", "info"];

const now = new Date("2026-11-28T12:00:00Z");

function row(over: Partial<DashboardRow> = {}): DashboardRow {
  return {
    resident: {
      id: "r",
      fullName: "Margaret Jones",
      preferredName: "Margaret",
      createdAt: "2026-10-01T09:00:00Z",
      settings: {
        preferredName: "Margaret",
        language: "en-GB",
        replyOptions: [],
        quietHours: null,
        textSize: "large",
        paused: false,
      },
      familySeesAll: false,
      retentionDays: 365,
      archivedAt: null,
    },
    alerts: [],
    tablet: {
      lastSeenAt: null,
      online: false,
      appVersion: null,
      pushState: null,
      pushFailingSince: null,
      pushProblem: null,
      storageUsedBytes: null,
      battery: null,
    },
    unseenCount: 0,
    oldestUnseenAt: null,
    lastSeenMessageAt: null,
    lastFamilyMessageAt: null,
    ...over,
  };
}

describe("alerts in plain words", () => {
  it("says how long the tablet has been offline", () => {
    const r = row({ tablet: { ...row().tablet, lastSeenAt: "2026-11-26T11:00:00Z" } });
    expect(alertText("tablet_offline", r, now)).toBe("Tablet offline for 2 days");
  });

  it("counts unseen messages and says for how long the oldest has waited", () => {
    const r = row({ unseenCount: 3, oldestUnseenAt: "2026-11-26T06:00:00Z" });
    expect(alertText("messages_unseen", r, now)).toBe("3 messages unseen for 2 days");
    expect(alertText("messages_unseen", row({ unseenCount: 1, oldestUnseenAt: "2026-11-27T10:00:00Z" }), now)).toBe(
      "1 message unseen for 26 hours",
    );
  });

  it("prompts staff to contact the family, counting from the last family message or from when the resident was added", () => {
    expect(alertText("no_family_message", row({ lastFamilyMessageAt: "2026-11-14T11:00:00Z" }), now)).toBe(
      "No family message for 14 days — contact the family",
    );
    expect(alertText("no_family_message", row(), now)).toBe("No family message for 58 days — contact the family");
  });

  it("says since when push fails and why, in words, from the push service's answers", () => {
    const failing = (pushFailingSince: string, pushProblem: DashboardRow["tablet"]["pushProblem"]) =>
      row({ alerts: ["push_failing"], tablet: { ...row().tablet, pushState: "subscribed", pushFailingSince, pushProblem } });
    const today = new Date(2026, 10, 28, 9, 5).toISOString();
    const earlier = new Date(2026, 10, 26, 18, 40).toISOString();
    const localNow = new Date(2026, 10, 28, 12, 0);
    expect(alertText("push_failing", failing(today, "refused_key"), localNow)).toBe(
      "Push failing since 09:05 — the push service refused our key",
    );
    expect(alertText("push_failing", failing(earlier, "gone"), localNow)).toBe(
      "Push failing since 26 November 2026 at 18:40 — the subscription was removed by the browser’s push service",
    );
    expect(alertText("push_failing", failing(today, "service_error"), localNow)).toBe(
      "Push failing since 09:05 — the push service kept answering with an error",
    );
    expect(alertText("push_failing", failing(today, null), localNow)).toBe("Push failing since 09:05 — the reason is not known");
  });

  it("says the battery is low and not charging, with the tablet's last reading", () => {
    const low = row({ alerts: ["battery_low"], tablet: { ...row().tablet, battery: { level: 0.12, charging: false } } });
    expect(alertText("battery_low", low, now)).toBe("Battery low and not charging (12%)");
    expect(alertText("battery_low", row(), now)).toBe("Battery low and not charging");
  });

  it("names the alerts that need no duration", () => {
    expect(alertText("push_failing", row(), now)).toBe("Push not working");
    expect(alertText("paused", row(), now)).toBe("Paused");
    expect(alertText("tablet_never_set_up", row(), now)).toBe("Tablet not set up yet");
  });
});

describe("the reason filter", () => {
  it("offers every reason the relay has, urgent ones first, each in words", () => {
    expect([...FILTER_REASONS].sort()).toEqual([...ALERTS].sort());
    expect(FILTER_REASONS.map((r) => ALERT_TONE[r])).toEqual(
      [...FILTER_REASONS.map((r) => ALERT_TONE[r])].sort((a, b) => TONES.indexOf(a) - TONES.indexOf(b)),
    );
    for (const reason of ALERTS) expect(REASON_WORDS[reason]).toMatch(/^[A-Z][a-z ]+$/);
  });
});
