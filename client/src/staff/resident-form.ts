import {
  DEFAULT_REPLY_OPTIONS,
  type Language,
  LIMITS,
  type Resident,
  type TEXT_SIZES,
  type UpdateResidentRequest,
} from "@letterbox/shared";
import type { Problem } from "./problems";

export type TextSize = (typeof TEXT_SIZES)[number];

/** What the "Details and tablet settings" form holds, as typed. */
export type ResidentForm = {
  fullName: string;
  preferredName: string;
  language: Language;
  replies: string[];
  quietHours: boolean;
  quietStart: string;
  quietEnd: string;
  textSize: TextSize;
  familySeesAll: boolean;
  retentionDays: string;
};

export const RETENTION = { min: 7, max: 3650 } as const;

export function formFromResident(r: Resident): ResidentForm {
  const replies = [...r.settings.replyOptions];
  while (replies.length < LIMITS.replyOptionsMax) replies.push("");
  return {
    fullName: r.fullName,
    preferredName: r.preferredName,
    language: r.settings.language,
    replies,
    quietHours: r.settings.quietHours !== null,
    quietStart: r.settings.quietHours?.start ?? "21:00",
    quietEnd: r.settings.quietHours?.end ?? "08:00",
    textSize: r.settings.textSize,
    familySeesAll: r.familySeesAll,
    retentionDays: String(r.retentionDays),
  };
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Checks in the browser what can be checked before asking the relay, in the words of the form. */
export function checkResidentForm(f: ResidentForm): Problem[] {
  const problems: Problem[] = [];
  if (!f.fullName.trim()) problems.push({ text: "Enter the resident’s full name", fieldId: "fullName" });
  if (!f.preferredName.trim()) problems.push({ text: "Enter the name the tablet calls them by", fieldId: "preferredName" });
  f.replies.forEach((reply, i) => {
    if (reply.trim().length > LIMITS.replyTextMax) {
      problems.push({ text: `Reply button ${i + 1} must be ${LIMITS.replyTextMax} characters or fewer`, fieldId: `reply-${i}` });
    }
  });
  if (f.quietHours) {
    if (!TIME.test(f.quietStart)) problems.push({ text: "Enter when quiet hours start, like 21:00", fieldId: "quietStart" });
    if (!TIME.test(f.quietEnd)) problems.push({ text: "Enter when quiet hours end, like 08:00", fieldId: "quietEnd" });
    else if (f.quietStart === f.quietEnd) {
      problems.push({ text: "Quiet hours must end at a different time from when they start", fieldId: "quietEnd" });
    }
  }
  const days = Number(f.retentionDays.trim());
  if (!/^\d+$/.test(f.retentionDays.trim())) {
    problems.push({ text: "Enter how many days to keep messages, as a whole number", fieldId: "retentionDays" });
  } else if (days < RETENTION.min || days > RETENTION.max) {
    problems.push({ text: `Keep messages for between ${RETENTION.min} and ${RETENTION.max} days`, fieldId: "retentionDays" });
  }
  return problems;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Only what changed goes to the relay, so an untouched setting keeps following its defaults. One
 * exception: replies still at the old language's defaults become the new language's defaults
 * (a resident moved to Cymraeg should not keep English buttons).
 */
export function residentPatch(r: Resident, f: ResidentForm): UpdateResidentRequest {
  const patch: UpdateResidentRequest = {};
  if (f.fullName.trim() !== r.fullName) patch.fullName = f.fullName.trim();
  if (f.preferredName.trim() !== r.preferredName) patch.preferredName = f.preferredName.trim();
  if (f.language !== r.settings.language) patch.language = f.language;

  const replies = f.replies.map((s) => s.trim()).filter(Boolean);
  const languageChanged = f.language !== r.settings.language;
  if (languageChanged && sameList(replies, DEFAULT_REPLY_OPTIONS[r.settings.language])) {
    patch.replyOptions = DEFAULT_REPLY_OPTIONS[f.language];
  } else if (!sameList(replies, r.settings.replyOptions)) {
    patch.replyOptions = replies;
  }

  const quiet = f.quietHours ? { start: f.quietStart, end: f.quietEnd } : null;
  const was = r.settings.quietHours;
  if (quiet?.start !== was?.start || quiet?.end !== was?.end) patch.quietHours = quiet;
  if (f.textSize !== r.settings.textSize) patch.textSize = f.textSize;
  if (f.familySeesAll !== r.familySeesAll) patch.familySeesAll = f.familySeesAll;
  const days = Number(f.retentionDays.trim());
  if (days !== r.retentionDays) patch.retentionDays = days;
  return patch;
}

/** Erasing needs the officer to type the name: spaces and capitals are forgiven, nothing else. */
export const namesMatch = (typed: string, fullName: string) => {
  const norm = (s: string) => s.trim().replace(/\s+/g, " ").toLocaleLowerCase("en-GB");
  return norm(typed) !== "" && norm(typed) === norm(fullName);
};
