/**
 * Who runs this relay, for the welcome letter. A constant until the relay's settings carry the
 * organisation's name and contact details.
 */
export const COUNCIL = {
  name: "Anytown Borough Council",
  team: "Digital Inclusion Team",
} as const;
