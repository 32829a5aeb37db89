import { describe, expect, it } from "vitest";
import type { OutboxReply } from "../db/db";
import { tabletText as tabletCy } from "../i18n/tablet-cy";
import { tabletText } from "../i18n/tablet-en-GB";
import { replyNote, replyNoteText, replyProgress } from "./reply-note";

const row: OutboxReply = {
  id: "r1",
  inReplyTo: "m1",
  text: "Thank you ♥",
  createdAt: "2026-11-28T10:32:00.000Z",
  attempts: 0,
  nextAttemptAt: 0,
};

describe("replyNote", () => {
  it("says saved, not sent, while the reply waits in the outbox, however long ago the tap was", () => {
    expect(replyNote(replyProgress(row), true)).toBe("saved");
    expect(replyNote(replyProgress({ ...row, attempts: 3 }), false)).toBe("saved");
  });

  it("says saved while the outbox has not answered yet: the tap has just queued it", () => {
    expect(replyNote(replyProgress(null), true)).toBe("saved");
  });

  it("says sent once the reply has left the outbox, for a while", () => {
    expect(replyNote(replyProgress(undefined), true)).toBe("sent");
    expect(replyNote(replyProgress(undefined), false)).toBeNull();
  });

  it("says nothing of a reply the relay refused", () => {
    expect(replyNote(replyProgress({ ...row, failed: true }), true)).toBeNull();
  });
});

describe("replyNoteText", () => {
  it.each([
    [tabletText, "Saved — it will go to Sarah soon", "Sent to Sarah"],
    [tabletCy, "Wedi’i gadw — bydd yn mynd at Sarah cyn bo hir", "Wedi’i anfon at Sarah"],
  ])("is in the tablet's language", (t, saved, sent) => {
    expect(replyNoteText(t, "saved", "Sarah")).toBe(saved);
    expect(replyNoteText(t, "sent", "Sarah")).toBe(sent);
  });
});
