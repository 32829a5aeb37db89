import { ALERTS, type Alert, type DashboardRow } from "@letterbox/shared";
import { duration, percent, plural, pushProblemWords, since as sinceTime } from "./format";

export type AlertTone = "urgent" | "warning" | "info";

/** The relay decides which alerts a resident has; this says each one in plain words, with how long. */
export function alertText(alert: Alert, row: DashboardRow, now: Date): string {
  const since = (iso: string | null) => (iso ? duration(now.getTime() - Date.parse(iso)) : null);
  switch (alert) {
    case "tablet_offline": {
      const offline = since(row.tablet.lastSeenAt);
      return offline ? `Tablet offline for ${offline}` : "Tablet offline since it was set up";
    }
    case "messages_unseen": {
      const unseen = since(row.oldestUnseenAt);
      const count = plural(row.unseenCount, { one: "message", other: "messages" });
      return unseen ? `${count} unseen for ${unseen}` : `${count} unseen`;
    }
    case "no_family_message":
      // Never written to counts from the day the resident was added, as the relay counts it.
      return `No family message for ${since(row.lastFamilyMessageAt ?? row.resident.createdAt)} — contact the family`;
    case "battery_low": {
      // The level is the tablet's last reading: with "Tablet offline" beside it, that is how it went dark.
      const { battery } = row.tablet;
      return battery ? `Battery low and not charging (${percent(battery.level)})` : "Battery low and not charging";
    }
    case "push_failing": {
      // Failing pushes say since when and why; a tablet that has no push at all says only that.
      const { pushFailingSince, pushProblem } = row.tablet;
      return pushFailingSince
        ? `Push failing since ${sinceTime(pushFailingSince, now)} — ${pushProblemWords(pushProblem)}`
        : "Push not working";
    }
    case "paused":
      return "Paused";
    case "tablet_never_set_up":
      return "Tablet not set up yet";
  }
}

export const ALERT_TONE: Record<Alert, AlertTone> = {
  tablet_offline: "urgent",
  messages_unseen: "urgent",
  battery_low: "warning",
  push_failing: "warning",
  no_family_message: "warning",
  tablet_never_set_up: "info",
  paused: "info",
};

/** Each reason in a word or two, for the dashboard's "Needs attention" filter. */
export const REASON_WORDS: Record<Alert, string> = {
  tablet_offline: "Tablet offline",
  messages_unseen: "Messages unseen",
  push_failing: "Push not working",
  no_family_message: "No family message",
  tablet_never_set_up: "Tablet not set up yet",
  paused: "Paused",
  battery_low: "Battery low and not charging",
};

const TONE_ORDER: AlertTone[] = ["urgent", "warning", "info"];

/**
 * The filter's choices: every reason the relay has (ALERTS, so a new one appears here by itself),
 * the urgent ones first.
 */
export const FILTER_REASONS: readonly Alert[] = [...ALERTS].sort(
  (a, b) => TONE_ORDER.indexOf(ALERT_TONE[a]) - TONE_ORDER.indexOf(ALERT_TONE[b]),
);
