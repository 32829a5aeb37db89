import type { Battery, Language, Photo, QuietHours, ReceiptState, StaffRole, TEXT_SIZES } from "@letterbox/shared";

type TextSize = (typeof TEXT_SIZES)[number];

/**
 * Everything the relay keeps, behind one interface so that the embedded SQLite file and a
 * council's PostgreSQL are interchangeable. Times are ISO-8601 strings in UTC.
 */

export type StaffRow = {
  id: string;
  name: string;
  email: string;
  passwordHash: string;
  createdAt: string;
  role: StaffRole;
  disabledAt: string | null;
};
export type SessionRow = { tokenHash: string; staffId: string; createdAt: string; lastSeenAt: string };
export type ResidentRow = {
  id: string;
  fullName: string;
  preferredName: string;
  createdAt: string;
  language: Language;
  /** null: the default replies of the resident's language. */
  replyOptions: string[] | null;
  quietHours: QuietHours | null;
  textSize: TextSize;
  paused: boolean;
  /** Whether family members see each other's messages, or only their own. */
  familySeesAll: boolean;
  retentionDays: number;
  archivedAt: string | null;
};
export type ResidentPatch = Partial<Omit<ResidentRow, "id" | "createdAt">>;
export type FamilyLinkRow = {
  id: string;
  residentId: string;
  label: string;
  /** How the family member chose to be named to the resident; null: the label. */
  displayName: string | null;
  /** How the resident knows them ("daughter"); null: none given. */
  relationship: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
};
export type FamilyLinkPatch = Partial<Pick<FamilyLinkRow, "label" | "relationship">>;
export type DeviceRow = {
  id: string;
  residentId: string;
  pairedAt: string;
  lastSeenAt: string | null;
  /** Set when staff wipe the tablet: its token stops working and it clears itself. */
  revokedAt: string | null;
};
export type DeviceStatus = {
  appVersion: string;
  language: string;
  storageUsedBytes: number;
  storageQuotaBytes: number | null;
  storagePersisted: boolean;
  battery: Battery | null;
};
export type DeviceHealthRow = DeviceRow & { [K in keyof DeviceStatus]: DeviceStatus[K] | null } & { statusAt: string | null };
export type InviteRow = { tokenHash: string; role: StaffRole; createdBy: string; createdAt: string; expiresAt: string };
export type AuditRow = {
  at: string;
  staffId: string | null;
  staffName: string;
  action: string;
  residentId: string | null;
  detail: Record<string, unknown>;
  source: string;
};
/** Counts and times per resident for the dashboard; never content. */
export type ResidentFacts = {
  residentId: string;
  unseenCount: number;
  oldestUnseenAt: string | null;
  lastSeenMessageAt: string | null;
  lastFamilyMessageAt: string | null;
};
export type MessageRow = {
  id: string;
  residentId: string;
  familyLinkId: string;
  senderName: string;
  senderRelationship: string | null;
  text: string;
  photos: Photo[];
  sentAt: string;
  seq: number;
  deletedAt: string | null;
  deliveredAt: string | null;
  seenAt: string | null;
};
export type ReplyRow = {
  id: string;
  residentId: string;
  inReplyTo: string;
  /** The family link the reply goes to: the sender of the message it answers. */
  familyLinkId: string;
  text: string;
  sentAt: string;
  seq: number;
};
export type LogEntryRow =
  | { seq: number; at: string; kind: "message"; message: MessageRow }
  | { seq: number; at: string; kind: "message_deleted"; messageId: string }
  | { seq: number; at: string; kind: "receipt"; messageId: string; state: ReceiptState }
  | { seq: number; at: string; kind: "reply"; reply: ReplyRow };

export type NewMessage = Omit<MessageRow, "seq" | "deletedAt" | "deliveredAt" | "seenAt">;
export type NewReply = Omit<ReplyRow, "seq" | "familyLinkId">;
export type PhotoUploadRow = {
  photoId: string;
  familyLinkId: string;
  residentId: string;
  width: number;
  height: number;
  uploadedAt: string;
};

export interface Store {
  countStaff(): Promise<number>;
  /** Creates the first administrator only if there is no staff yet, in one step, so two set-up tabs cannot both win. */
  createFirstStaff(staff: StaffRow, setupTokenHash: string, now: string): Promise<"created" | "token_invalid" | "email_taken">;
  /** Whether the set-up link would make the first account now; checked before a password is hashed for it. */
  staffSetupTokenUsable(setupTokenHash: string, now: string): Promise<boolean>;
  createStaff(staff: StaffRow): Promise<"created" | "email_taken">;
  findStaffByEmail(email: string): Promise<StaffRow | undefined>;
  findStaffById(id: string): Promise<StaffRow | undefined>;
  listStaff(): Promise<StaffRow[]>;
  setStaffDisabled(id: string, disabledAt: string | null): Promise<boolean>;
  deleteSessionsOf(staffId: string): Promise<number>;
  createInvite(invite: InviteRow): Promise<void>;
  /** Uses the invite (if unused and unexpired) and creates the account, atomically. */
  acceptInvite(
    tokenHash: string,
    staff: Omit<StaffRow, "role">,
    now: string,
  ): Promise<"created" | "invite_invalid" | "email_taken">;
  /** Whether the invitation is unused and unexpired now; checked before a password is hashed for it. */
  inviteUsable(tokenHash: string, now: string): Promise<boolean>;

  appendAudit(entry: AuditRow): Promise<void>;
  listAudit(limit: number): Promise<AuditRow[]>;
  pruneAudit(before: string): Promise<number>;
  getOrgSettings(): Promise<Record<string, unknown>>;
  setOrgSettings(values: Record<string, unknown>): Promise<void>;
  replaceStaffSetupToken(tokenHash: string, expiresAt: string): Promise<void>;

  createSession(session: SessionRow): Promise<void>;
  findSession(tokenHash: string): Promise<{ session: SessionRow; staff: StaffRow } | undefined>;
  touchSession(tokenHash: string, lastSeenAt: string): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;

  createResident(resident: ResidentRow): Promise<void>;
  updateResident(id: string, patch: ResidentPatch): Promise<ResidentRow | undefined>;
  listResidents(): Promise<ResidentRow[]>;
  findResident(id: string): Promise<ResidentRow | undefined>;
  /** Removes the resident and everything held about them; returns the photos that were theirs. */
  eraseResident(id: string): Promise<{ photoIds: string[] } | undefined>;
  residentFacts(): Promise<ResidentFacts[]>;
  /** Ids of the resident's live messages sent before `before` (for retention). */
  messagesSentBefore(residentId: string, before: string): Promise<{ id: string; familyLinkId: string }[]>;

  createFamilyLink(link: FamilyLinkRow, tokenHash: string): Promise<void>;
  listFamilyLinks(residentId: string): Promise<FamilyLinkRow[]>;
  findFamilyLinkByTokenHash(tokenHash: string): Promise<FamilyLinkRow | undefined>;
  revokeFamilyLink(id: string, residentId: string, at: string): Promise<boolean>;
  touchFamilyLink(id: string, at: string): Promise<void>;
  setFamilyDisplayName(id: string, displayName: string | null): Promise<void>;
  /** Staff change the name or relationship; undefined when the resident has no such link. */
  updateFamilyLink(id: string, residentId: string, patch: FamilyLinkPatch): Promise<FamilyLinkRow | undefined>;
  /** Gives the link a new token (the old one dies) and makes it active again; history stays with it. */
  replaceFamilyLinkToken(id: string, residentId: string, tokenHash: string): Promise<FamilyLinkRow | undefined>;

  createSetupCode(code: {
    codeHash: string;
    residentId: string;
    createdBy: string;
    createdAt: string;
    expiresAt: string;
  }): Promise<void>;
  /**
   * Uses the code (if unused and unexpired) and records the new device, atomically: a code pairs
   * exactly one tablet even when two try at once.
   */
  pairDevice(codeHash: string, device: DeviceRow, tokenHash: string, now: string): Promise<ResidentRow | undefined>;
  findDeviceByTokenHash(tokenHash: string): Promise<DeviceRow | undefined>;
  touchDevice(id: string, at: string): Promise<void>;
  recordDeviceStatus(id: string, status: DeviceStatus, at: string): Promise<void>;
  listDevices(residentId?: string): Promise<DeviceHealthRow[]>;
  wipeDevice(id: string, residentId: string, at: string): Promise<boolean>;

  /**
   * Appends a message and its log entry with the resident's next sequence number, durably. When
   * the id is already taken, nothing is written and the stored message is returned instead.
   */
  appendMessage(message: NewMessage): Promise<{ created: boolean; message: MessageRow }>;
  /** Marks the sender's message deleted (text and photos dropped) and logs it; idempotent. */
  deleteMessage(
    id: string,
    familyLinkId: string,
    at: string,
  ): Promise<
    { result: "deleted"; residentId: string; seq: number; photoIds: string[] } | { result: "already_deleted" | "not_found" }
  >;
  /** Records the receipts that move a message forward (delivered, then seen) and logs each; returns those. */
  recordReceipts(
    residentId: string,
    receipts: { messageId: string; state: ReceiptState }[],
    at: string,
  ): Promise<{ seq: number; familyLinkId: string }[]>;
  /** Appends a reply to a message of the resident; `no_message` when there is no such message. */
  appendReply(reply: NewReply): Promise<{ created: boolean; reply: ReplyRow } | "no_message">;
  /** The resident's log after `afterSeq`; a message entry whose message was deleted carries it with deletedAt set. */
  pullLog(residentId: string, afterSeq: number, limit: number): Promise<LogEntryRow[]>;
  /** Every live message and reply of the resident, in log order; with `includeDeleted`, deleted messages too (no content). */
  conversation(residentId: string, includeDeleted?: boolean): Promise<{ messages: MessageRow[]; replies: ReplyRow[] }>;
  /**
   * Where the resident's log stands: which copy of the log this database holds (a restore changes
   * it) and the last seq handed out.
   */
  logPosition(residentId: string): Promise<{ logId: string; head: number } | undefined>;
  /** When any of the resident's tablets last reached the relay. */
  tabletLastSeen(residentId: string): Promise<string | null>;

  /** Records the upload and counts it against the link's daily allowance. */
  recordPhotoUpload(upload: PhotoUploadRow): Promise<void>;
  /** Uploads since `since`, whatever became of them since (sent, deleted, expired). */
  countPhotoUploadsSince(familyLinkId: string, since: string): Promise<number>;
  /** The resident's uploads that their uploader has not sent (no live message of that link carries the photo). */
  unsentPhotoUploads(residentId: string): Promise<PhotoUploadRow[]>;
  /**
   * Removes unsent uploads made before `before`, and the allowance's count of uploads before it;
   * returns the photos whose uploads went, for the caller to remove those nothing refers to any more.
   */
  expireUnsentPhotoUploads(before: string): Promise<string[]>;
  /** The photo as this family link uploaded it, if it did. */
  findPhotoUpload(photoId: string, familyLinkId: string): Promise<PhotoUploadRow | undefined>;
  /** Whether the photo is in a live message of this resident. */
  isPhotoInConversation(photoId: string, residentId: string): Promise<boolean>;
  /** The family links whose live messages to this resident carry the photo. */
  photoSenders(photoId: string, residentId: string): Promise<string[]>;
  /** Whether a live message or an upload still refers to the photo; when nothing does, its files can be removed. */
  isPhotoReferenced(photoId: string): Promise<boolean>;
}
