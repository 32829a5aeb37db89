import { DEFAULT_REPLY_OPTIONS, type Resident, type ResidentSettings } from "@letterbox/shared";
import { AppError } from "../errors";
import type { ResidentRow, Store } from "../store";

/** The resident's row, or the `not_found` every staff action on a missing resident answers with. */
export async function requireResident(store: Store, id: string): Promise<ResidentRow> {
  const resident = await store.residents.find(id);
  if (!resident) throw new AppError("not_found", "There is no resident with that id.");
  return resident;
}

/** What the tablet is told about its resident: staff choices, with the language's default replies filled in. */
export function residentSettings(r: ResidentRow): ResidentSettings {
  return {
    preferredName: r.preferredName,
    language: r.language,
    replyOptions: r.replyOptions ?? DEFAULT_REPLY_OPTIONS[r.language],
    quietHours: r.quietHours,
    textSize: r.textSize,
    paused: r.paused,
  };
}

export function toResident(r: ResidentRow): Resident {
  return {
    id: r.id,
    fullName: r.fullName,
    preferredName: r.preferredName,
    createdAt: r.createdAt,
    settings: residentSettings(r),
    familySeesAll: r.familySeesAll,
    retentionDays: r.retentionDays,
    archivedAt: r.archivedAt,
  };
}

/** A new resident: English, the default replies, quiet from 21:00 to 08:00, family see only their own messages. */
export function newResidentRow(id: string, fullName: string, preferredName: string, createdAt: string): ResidentRow {
  return {
    id,
    fullName,
    preferredName,
    createdAt,
    language: "en-GB",
    replyOptions: null,
    quietHours: { start: "21:00", end: "08:00" },
    textSize: "large",
    paused: false,
    familySeesAll: false,
    retentionDays: 365,
    archivedAt: null,
  };
}
