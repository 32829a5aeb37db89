import type { DayPart, TabletText } from "../i18n/tablet-en-GB";

/** The words a date needs; every tablet catalogue has them. */
export type DateWords = Pick<TabletText, "lang" | "weekdays" | "months" | "dayDate" | "today" | "yesterday" | "weekdayPart">;

const DAY_MS = 86_400_000;
const pad = (n: number) => String(n).padStart(2, "0");
const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

const intlNames = new Map<string, { weekdays: string[]; months: string[] } | null>();

/**
 * Weekday and month names from Intl where this browser knows the language, else from the
 * catalogue. Chromium builds often carry no Welsh data and would quietly answer in American English.
 */
function names(words: DateWords): { weekdays: string[]; months: string[] } {
  let known = intlNames.get(words.lang);
  if (known === undefined) {
    known = null;
    if (typeof Intl !== "undefined" && Intl.DateTimeFormat.supportedLocalesOf([words.lang]).length > 0) {
      const weekday = new Intl.DateTimeFormat(words.lang, { weekday: "long" });
      const month = new Intl.DateTimeFormat(words.lang, { month: "long" });
      known = {
        // 4 January 2026 was a Sunday.
        weekdays: Array.from({ length: 7 }, (_, i) => capitalise(weekday.format(new Date(2026, 0, 4 + i)))),
        months: Array.from({ length: 12 }, (_, i) => capitalise(month.format(new Date(2026, i, 1)))),
      };
    }
    intlNames.set(words.lang, known);
  }
  return known ?? words;
}

const capitalise = (s: string) => s.charAt(0).toLocaleUpperCase() + s.slice(1);

/** "10:32": the 24-hour clock, as in both languages' everyday use on the tablet. */
export const clockTime = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** "Saturday 28 November" / "Dydd Sadwrn, 28 Tachwedd": helps people who lose track of days. */
export function dayAndDate(d: Date, words: DateWords): string {
  const { weekdays, months } = names(words);
  return words.dayDate(weekdays[d.getDay()] ?? "", d.getDate(), months[d.getMonth()] ?? "");
}

export const partOfDay = (d: Date): Exclude<DayPart, "night"> =>
  d.getHours() < 12 ? "morning" : d.getHours() < 18 ? "afternoon" : "evening";

/** Morning, afternoon, evening or night, for the night clock: after nine it is night. */
export const partOfDayOrNight = (d: Date): DayPart => (d.getHours() >= 21 ? "night" : partOfDay(d));

/** "Saturday night, 28 November": the night clock's line, so waking at 3 a.m. is not confusing. */
export function nightDate(d: Date, words: DateWords): string {
  const { months } = names(words);
  return `${words.weekdayPart(d.getDay(), partOfDayOrNight(d))}, ${d.getDate()} ${months[d.getMonth()]}`;
}

/** When a message was sent, in words: "This morning, 10:32", "Yesterday afternoon, 14:05", "Tuesday 24 November". */
export function sentInWords(sent: Date, now: Date, words: DateWords): string {
  const daysAgo = Math.round((startOfDay(now) - startOfDay(sent)) / DAY_MS);
  if (daysAgo <= 0) return `${words.today[partOfDay(sent)]}, ${clockTime(sent)}`;
  if (daysAgo === 1) return `${words.yesterday[partOfDay(sent)]}, ${clockTime(sent)}`;
  const date = dayAndDate(sent, words);
  return sent.getFullYear() === now.getFullYear() ? date : `${date} ${sent.getFullYear()}`;
}

/** "10:32" today, otherwise the day and date: for "last updated …". */
export function sinceInWords(then: Date, now: Date, words: DateWords): string {
  return startOfDay(then) === startOfDay(now) ? clockTime(then) : `${dayAndDate(then, words)}, ${clockTime(then)}`;
}

/** Whether `now` falls in quiet hours given as "21:00"–"08:00" (which may cross midnight). */
export function inQuietHours(now: Date, quiet: { start: string; end: string } | null | undefined): boolean {
  if (!quiet) return false;
  const minutes = (hhmm: string) => {
    const [h = "0", m = "0"] = hhmm.split(":");
    return Number(h) * 60 + Number(m);
  };
  const t = now.getHours() * 60 + now.getMinutes();
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  if (start === end) return false;
  return start < end ? t >= start && t < end : t >= start || t < end;
}
