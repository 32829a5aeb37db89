import type { Battery, Device, Language, PushProblem } from "@letterbox/shared";
import { count, type PluralWords } from "../kit/plural";

/** Plain words for counts, times and device facts: what staff read on every page. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "1 message", "3 messages": the console is in English (UK). */
export const plural = (n: number, words: PluralWords) => count("en-GB", n, words);

/** How long something has lasted: "45 minutes", "5 hours", "47 hours", then whole days ("2 days"). */
export function duration(ms: number): string {
  if (ms < HOUR) return plural(Math.max(1, Math.floor(ms / MINUTE)), { one: "minute", other: "minutes" });
  if (ms < 2 * DAY) return plural(Math.floor(ms / HOUR), { one: "hour", other: "hours" });
  return plural(Math.floor(ms / DAY), { one: "day", other: "days" });
}

/** "just now", "12 minutes ago", "3 hours ago", "2 days ago". */
export function ago(iso: string, now: Date): string {
  const ms = now.getTime() - Date.parse(iso);
  if (ms < MINUTE) return "just now";
  return `${duration(ms)} ago`;
}

// In the officer's own time zone, as the rest of their computer shows it.
const clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const day = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric" });

/** "10:32", on the 24-hour clock. */
export const timeOfDay = (iso: string) => clock.format(new Date(iso));

/** "28 November 2026" */
export const date = (iso: string) => day.format(new Date(iso));

/** "28 November 2026 at 10:32" */
export const dateTime = (iso: string) => `${date(iso)} at ${timeOfDay(iso)}`;

/** A moment this day as its time ("10:32"), an earlier one with its date ("27 November 2026 at 10:32"). */
export function since(iso: string, now: Date): string {
  return date(iso) === date(now.toISOString()) ? timeOfDay(iso) : dateTime(iso);
}

/** Bytes as people read them: "0 KB", "512 KB", "12.3 MB", "1.2 GB". */
export function bytes(n: number): string {
  if (n < 1_000_000) return `${Math.round(n / 1000)} KB`;
  if (n < 1_000_000_000) return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, "")} MB`;
  return `${(n / 1_000_000_000).toFixed(1).replace(/\.0$/, "")} GB`;
}

export const LANGUAGE_NAMES: Record<Language, string> = { "en-GB": "English", cy: "Cymraeg (Welsh)" };

export const languageName = (code: string | null) =>
  code === null ? "Not reported yet" : (LANGUAGE_NAMES[code as Language] ?? code);

/** Whether the tablet can be woken by push, as the tablet reported it. */
export function pushWords(state: string | null): string {
  switch (state) {
    case null:
      return "Not reported yet";
    case "subscribed":
      return "Working";
    case "no_push_manager":
      return "Not working: this tablet’s browser has no push (it checks for messages while open)";
    case "permission_denied":
      return "Not working: notifications were not allowed on this tablet";
    case "subscribe_failed":
      return "Not working: the tablet could not turn push on";
    case "expired":
      return "Not working: the push service stopped accepting messages for this tablet";
    case "unknown":
      return "Not known yet";
    default:
      return `Not working (${state})`;
  }
}

export function storageWords(used: number | null, quota: number | null): string {
  if (used === null) return "Not reported yet";
  return quota ? `${bytes(used)} of ${bytes(quota)}` : bytes(used);
}

/** Persistent storage: the browser promises not to clear the saved messages when space runs low. */
export function persistedWords(persisted: boolean | null): string {
  if (persisted === null) return "Not reported yet";
  return persisted ? "Yes, kept safe" : "No: the browser may clear saved messages when space runs low";
}

export const percent = (level: number) => `${Math.round(level * 100)}%`;

/**
 * The tablet's last battery reading. A tablet that has reported but sent none runs in a browser
 * without the Battery Status API.
 */
export function batteryWords(battery: Battery | null, reported: boolean): string {
  if (!battery) return reported ? "Not reported by this tablet’s browser" : "Not reported yet";
  return `${percent(battery.level)}, ${battery.charging ? "charging" : "not charging"}`;
}

/** Why pushes to a tablet fail, from the push service's answers, in words. */
export function pushProblemWords(problem: PushProblem | null): string {
  switch (problem) {
    case "gone":
      return "the subscription was removed by the browser’s push service";
    case "refused_key":
      return "the push service refused our key";
    case "rate_limited":
      return "the push service is turning our pushes away as too many";
    case "service_error":
      return "the push service kept answering with an error";
    case "refused_push":
      return "the push service refused the push";
    case "unreachable":
      return "the push service could not be reached";
    case "not_sent":
      return "the relay could not make the push";
    case null:
      return "the reason is not known";
  }
}

/** The tablet page's "Push" line: whether pushes get through, and since when and why not. */
export function pushHealthWords(d: Pick<Device, "pushState" | "pushFailingSince" | "pushProblem">, now: Date): string {
  if (!d.pushFailingSince) return pushWords(d.pushState);
  return `Failing since ${since(d.pushFailingSince, now)}: ${pushProblemWords(d.pushProblem)}`;
}
