import type { Conversation, ConversationItem, QuietHours } from "@letterbox/shared";
import type { FamilyText } from "./text";

const DAY_MS = 86_400_000;
/** The tablet asks the relay every few seconds when it has power and signal; an hour of silence means it has neither. */
export const TABLET_OFFLINE_AFTER_MS = 60 * 60_000;

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** "10:15" today, "yesterday 10:15", "Tuesday 10:15" this week, "24 November 10:15" before that. */
export function shortTime(t: FamilyText, at: Date, now: Date): string {
  const time = at.toLocaleTimeString(t.lang, { hour: "2-digit", minute: "2-digit" });
  const daysAgo = Math.round((startOfDay(now) - startOfDay(at)) / DAY_MS);
  if (daysAgo <= 0) return time;
  if (daysAgo === 1) return t.yesterday(time);
  if (daysAgo < 7) return `${at.toLocaleDateString(t.lang, { weekday: "long" })} ${time}`;
  return `${at.toLocaleDateString(t.lang, { day: "numeric", month: "long" })} ${time}`;
}

const minutesOf = (hhmm: string) => {
  const [h = 0, m = 0] = hhmm.split(":").map(Number);
  return h * 60 + m;
};

/**
 * When the resident's quiet hours end, if they are in them now ("08:00" → "8:00"); null otherwise.
 * Quiet hours may run past midnight (21:00–08:00). The resident's clock is taken to be the phone's:
 * Letterbox serves one council's area.
 */
export function quietUntil(quiet: QuietHours | null, now: Date): string | null {
  if (!quiet) return null;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const at = now.getHours() * 60 + now.getMinutes();
  const inside = start <= end ? at >= start && at < end : at >= start || at < end;
  return inside ? quiet.end.replace(/^0(\d)/, "$1") : null;
}

/** The one plain sentence about when the resident will see a message, or null when the tablet is awake and online. */
export function tabletNotice(t: FamilyText, name: string, tablet: Conversation["tablet"], now: Date): string | null {
  if (tablet.paused) return t.paused;
  if (!tablet.lastSeenAt) return t.notSetUp(name);
  const until = quietUntil(tablet.quietHours, now);
  if (until) return minutesOf(until) < 12 * 60 ? t.restingMorning(name, until) : t.resting(name, until);
  const lastSeen = new Date(tablet.lastSeenAt);
  if (now.getTime() - lastSeen.getTime() > TABLET_OFFLINE_AFTER_MS) return t.offlineSince(name, shortTime(t, lastSeen, now));
  return null;
}

type MessageItem = Extract<ConversationItem, { kind: "message" }>;

/** How far a message has got, as its steps: "Sent 10:15", "On Margaret's tablet 10:15", "Seen 10:32". */
export function deliverySteps(t: FamilyText, name: string, item: MessageItem, now: Date): { steps: string[]; seen: boolean } {
  const steps = [t.sent(shortTime(t, new Date(item.message.sentAt), now))];
  if (item.deliveredAt) steps.push(t.onTablet(name, shortTime(t, new Date(item.deliveredAt), now)));
  if (item.seenAt) {
    // A tablet that was offline may report "seen" without ever having said "delivered"; seen implies it was there.
    if (!item.deliveredAt) steps.push(t.onTablet(name, shortTime(t, new Date(item.seenAt), now)));
    steps.push(t.seen(shortTime(t, new Date(item.seenAt), now)));
  }
  return { steps, seen: item.seenAt !== null };
}
