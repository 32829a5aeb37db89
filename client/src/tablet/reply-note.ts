import type { OutboxReply } from "../db/db";
import type { TabletText } from "../i18n/tablet-en-GB";

/** Where a tapped reply is, as the tablet's outbox knows it. */
export type ReplyProgress = "unknown" | "waiting" | "refused" | "gone";

export function replyProgress(row: OutboxReply | undefined | null): ReplyProgress {
  if (row === null) return "unknown";
  if (row === undefined) return "gone";
  return row.failed ? "refused" : "waiting";
}

/**
 * What the tablet may truthfully say after a tap: "saved" for as long as the reply waits in the
 * outbox (offline, or the relay not reached yet), "sent" only once the relay has it and for a few
 * seconds after, nothing when the relay refused it (the staff corner says why) or once it is old.
 * Not yet known counts as saved: the tap has only just put it in the outbox.
 */
export function replyNote(progress: ReplyProgress, fresh: boolean): "saved" | "sent" | null {
  if (progress === "unknown" || progress === "waiting") return "saved";
  if (progress === "gone" && fresh) return "sent";
  return null;
}

export function replyNoteText(t: TabletText, note: "saved" | "sent", name: string): string {
  return note === "saved" ? t.savedFor(name) : t.sentTo(name);
}
