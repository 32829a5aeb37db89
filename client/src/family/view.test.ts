import type { Conversation, ConversationItem, SentMessage } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { nothingSince, sinceFor, visibleItems } from "./view";

const id = (n: number) => `01900000-0000-7000-8000-${String(n).padStart(12, "0")}`;
const sent = (n: number, seq: number): SentMessage => ({
  id: id(n),
  senderId: "link-sarah",
  senderName: "Sarah",
  text: `message ${n}`,
  photos: [],
  sentAt: "2026-11-28T10:00:00.000Z",
  seq,
});
const fetchedItem = (n: number, seq: number): ConversationItem => {
  const { seq: _, ...message } = sent(n, seq);
  return { kind: "message", seq, message, mine: true, deliveredAt: "2026-11-28T10:01:00.000Z", seenAt: null };
};
const conversation = (logId: string, items: ConversationItem[]): Conversation => ({
  items,
  logId,
  tablet: { lastSeenAt: null, quietHours: null, paused: false },
});
const shownIds = (items: ConversationItem[]) => items.flatMap((i) => (i.kind === "message" ? [i.message.id] : []));

describe("the family's view of the conversation", () => {
  it("shows a message the relay accepted before the conversation includes it, and hides one taken back", () => {
    const since = { ...nothingSince("log-a"), justSent: [sent(2, 2)], deleted: new Set([id(1)]) };
    const before = conversation("log-a", [fetchedItem(1, 1)]);
    expect(shownIds(visibleItems(before, since))).toEqual([id(2)]);
    expect(sinceFor(since, before)).toBe(since);
  });

  it("forgets what it sent and deleted under the relay's log before a restore: the restored relay's conversation is the truth", () => {
    // Message 3 was accepted by the relay, which was then restored from a backup made before it.
    const since = { ...nothingSince("log-a"), justSent: [sent(3, 3)], deleted: new Set([id(1)]) };
    const restored = conversation("log-b", [fetchedItem(1, 1), fetchedItem(2, 2)]);
    expect(shownIds(visibleItems(restored, since))).toEqual([id(1), id(2)]);
    expect(sinceFor(since, restored)).toEqual(nothingSince("log-b"));
  });
});
