/**
 * Why a resident's row is flagged on the dashboard. Apart from the schemas (api.ts) so that
 * the staff console's first load can read the list without zod.
 */
export const ALERTS = [
  "paused",
  "tablet_never_set_up",
  "tablet_offline",
  "messages_unseen",
  "battery_low",
  "push_failing",
  "no_family_message",
] as const;
export type Alert = (typeof ALERTS)[number];
