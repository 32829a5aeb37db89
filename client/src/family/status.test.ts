import type { Conversation, ConversationItem } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { familyCy } from "../i18n/family-cy";
import { familyEnGB as en } from "../i18n/family-en-GB";
import { deliverySteps, quietUntil, shortTime, tabletNotice } from "./status";

// Local times: the family member reads times on their own clock.
const at = (h: number, m = 0, day = 28) => new Date(2026, 10, day, h, m);
const iso = (d: Date) => d.toISOString();
const awake = (over: Partial<Conversation["tablet"]> = {}): Conversation["tablet"] => ({
  lastSeenAt: iso(at(10, 30)),
  quietHours: { start: "21:00", end: "08:00" },
  paused: false,
  ...over,
});

describe("quietUntil", () => {
  it.each([
    ["22:00", at(22, 0), "8:00"],
    ["02:30", at(2, 30), "8:00"],
    ["07:59", at(7, 59), "8:00"],
    ["08:00", at(8, 0), null],
    ["20:59", at(20, 59), null],
    ["21:00", at(21, 0), "8:00"],
  ])("21:00–08:00 at %s → %s", (_label, now, until) => {
    expect(quietUntil({ start: "21:00", end: "08:00" }, now)).toBe(until);
  });

  it("handles quiet hours within one day (an afternoon rest)", () => {
    expect(quietUntil({ start: "13:00", end: "14:30" }, at(13, 45))).toBe("14:30");
    expect(quietUntil({ start: "13:00", end: "14:30" }, at(15, 0))).toBeNull();
  });

  it("is never quiet without quiet hours", () => {
    expect(quietUntil(null, at(3))).toBeNull();
  });
});

describe("tabletNotice", () => {
  it("says plainly when the tablet is resting and when it will be seen", () => {
    expect(tabletNotice(en, "Margaret", awake(), at(22, 15))).toBe(
      "Margaret’s tablet is resting until 8:00 — Margaret will see this in the morning.",
    );
    expect(tabletNotice(en, "Margaret", awake({ quietHours: { start: "13:00", end: "14:30" } }), at(13, 30))).toBe(
      "Margaret’s tablet is resting until 14:30 — Margaret will see this then.",
    );
  });

  it("says nothing when the tablet is awake and online", () => {
    expect(tabletNotice(en, "Margaret", awake(), at(10, 45))).toBeNull();
  });

  it("says when the tablet has been offline for more than an hour", () => {
    expect(tabletNotice(en, "Margaret", awake(), at(11, 29))).toBeNull();
    expect(tabletNotice(en, "Margaret", awake({ lastSeenAt: iso(at(14, 5, 27)) }), at(10, 45))).toBe(
      "Margaret’s tablet has not been online since yesterday 14:05 — Margaret will see this when it is back online.",
    );
  });

  it("puts paused first, then a tablet not yet set up", () => {
    expect(tabletNotice(en, "Margaret", awake({ paused: true }), at(22))).toBe("Messages are paused for now.");
    expect(tabletNotice(en, "Margaret", awake({ lastSeenAt: null }), at(10))).toMatch(/not set up yet/);
  });

  it("speaks Welsh on a Welsh phone", () => {
    expect(tabletNotice(familyCy, "Margaret", awake(), at(22, 15))).toBe(
      "Mae tabled Margaret yn gorffwys tan 8:00 — bydd Margaret yn gweld hyn yn y bore.",
    );
  });
});

const mine = (
  over: Partial<Extract<ConversationItem, { kind: "message" }>> = {},
): Extract<ConversationItem, { kind: "message" }> => ({
  kind: "message",
  seq: 1,
  mine: true,
  deliveredAt: null,
  seenAt: null,
  message: {
    id: "01900000-0000-7000-8000-000000000001",
    senderId: "link",
    senderName: "Sarah (daughter)",
    text: "Hello Mum",
    photos: [],
    sentAt: iso(at(10, 15)),
  },
  ...over,
});

describe("deliverySteps", () => {
  const now = at(11);
  it("goes Sent → On Margaret's tablet → Seen, each with its time", () => {
    expect(deliverySteps(en, "Margaret", mine(), now)).toEqual({ steps: ["Sent 10:15"], seen: false });
    expect(deliverySteps(en, "Margaret", mine({ deliveredAt: iso(at(10, 16)) }), now).steps).toEqual([
      "Sent 10:15",
      "On Margaret’s tablet 10:16",
    ]);
    expect(deliverySteps(en, "Margaret", mine({ deliveredAt: iso(at(10, 16)), seenAt: iso(at(10, 32)) }), now)).toEqual({
      steps: ["Sent 10:15", "On Margaret’s tablet 10:16", "Seen 10:32"],
      seen: true,
    });
  });

  it("counts a message seen without a delivery receipt as on the tablet", () => {
    expect(deliverySteps(en, "Margaret", mine({ seenAt: iso(at(10, 32)) }), now).steps).toEqual([
      "Sent 10:15",
      "On Margaret’s tablet 10:32",
      "Seen 10:32",
    ]);
  });
});

describe("shortTime", () => {
  const now = at(16);
  it.each([
    ["today", at(10, 32), "10:32"],
    ["yesterday", at(19, 45, 27), "yesterday 19:45"],
    ["this week", at(9, 0, 24), "Tuesday 09:00"],
    ["earlier", at(9, 0, 2), "2 November 09:00"],
  ])("%s reads as %s", (_label, when, words) => {
    expect(shortTime(en, when, now)).toBe(words);
  });
});
