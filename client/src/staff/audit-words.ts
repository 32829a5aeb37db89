import type { AuditEntry } from "@letterbox/shared";

/** The audit log's actions, as a sentence's verb; unknown ones (a newer relay) show as they are. */
const ACTIONS: Record<string, string> = {
  "staff.created_first_administrator": "Created the first administrator account",
  "staff.created": "Created a staff account",
  "staff.invited": "Invited a member of staff",
  "staff.joined": "Accepted an invitation",
  "staff.signed_in": "Signed in",
  "staff.disabled": "Disabled a staff account",
  "staff.enabled": "Enabled a staff account",
  "staff.sessions_ended": "Signed a member of staff out everywhere",
  "resident.created": "Added a resident",
  "resident.updated": "Changed a resident’s details or settings",
  "resident.paused": "Paused messages",
  "resident.resumed": "Resumed messages",
  "resident.archived": "Archived a resident",
  "resident.unarchived": "Brought a resident back from the archive",
  "resident.erased": "Erased a resident",
  "resident.exported": "Downloaded everything held about a resident",
  "family_link.created": "Created a family link",
  "family_link.updated": "Changed a family link’s name or relationship",
  "family_link.revoked": "Revoked a family link",
  "family_link.reissued": "Re-issued a family link",
  "tablet.setup_code_created": "Made a tablet set-up code",
  "tablet.paired": "Set up a tablet",
  "tablet.wiped": "Wiped and unpaired a tablet",
  "settings.updated": "Changed the settings",
  "audit.exported": "Downloaded the audit log",
  "retention.applied": "Deleted old messages and unsent photos (retention)",
};

export const actionWords = (action: string) => ACTIONS[action] ?? action;

const DETAIL_NAMES: Record<string, string> = {
  label: "who",
  role: "role",
  fields: "changed",
  messages: "messages",
  photos: "photos",
  unsentPhotos: "unsent photos",
  sessions: "sessions",
  entries: "entries",
};

/**
 * The detail of an entry in words: labels, roles and counts. Ids are left out (they mean nothing
 * to a reader, and the CSV keeps them all).
 */
export function detailWords(entry: AuditEntry): string {
  return Object.entries(entry.detail)
    .filter(([key]) => !/id$/i.test(key))
    .map(([key, value]) => `${DETAIL_NAMES[key] ?? key}: ${Array.isArray(value) ? value.join(", ") : String(value)}`)
    .join("; ");
}
