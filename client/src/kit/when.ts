import { tabletText as t } from "../i18n/tablet-en-GB";

const LOCALE = "en-GB";

const partOfDay = (d: Date) => (d.getHours() < 12 ? t.morning : d.getHours() < 18 ? t.afternoon : t.evening);
const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
const DAY_MS = 86_400_000;

export const clockTime = (d: Date) => d.toLocaleTimeString(LOCALE, { hour: "2-digit", minute: "2-digit" });

/** "Saturday 28 November": helps people who lose track of days. */
export const dayAndDate = (d: Date) => d.toLocaleDateString(LOCALE, { weekday: "long", day: "numeric", month: "long" });

/** When a message was sent, in words: "This morning, 10:32", "Yesterday afternoon", "Tuesday 24 November". */
export function sentInWords(sent: Date, now: Date): string {
  const daysAgo = Math.round((startOfDay(now) - startOfDay(sent)) / DAY_MS);
  if (daysAgo <= 0) return `${t.this(partOfDay(sent))}, ${clockTime(sent)}`;
  if (daysAgo === 1) return `${t.yesterday(partOfDay(sent))}, ${clockTime(sent)}`;
  const date = dayAndDate(sent);
  return sent.getFullYear() === now.getFullYear() ? date : `${date} ${sent.getFullYear()}`;
}
