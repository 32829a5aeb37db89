/**
 * Everything the relay keeps, behind one interface so that the embedded SQLite file and a
 * council's PostgreSQL are interchangeable. Times are ISO-8601 strings in UTC.
 */

export type StaffRow = { id: string; name: string; email: string; passwordHash: string; createdAt: string };
export type SessionRow = { tokenHash: string; staffId: string; createdAt: string; lastSeenAt: string };
export type ResidentRow = { id: string; fullName: string; preferredName: string; createdAt: string };
export type FamilyLinkRow = {
  id: string;
  residentId: string;
  label: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
};
export type DeviceRow = {
  id: string;
  residentId: string;
  pairedAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
};
export type MessageRow = {
  id: string;
  residentId: string;
  familyLinkId: string;
  senderName: string;
  text: string;
  sentAt: string;
  seq: number;
};
export type LogEntryRow = { seq: number; kind: "message"; at: string; message: MessageRow };

export type NewMessage = Omit<MessageRow, "seq">;

export interface Store {
  countStaff(): Promise<number>;
  /** Creates the first administrator only if there is no staff yet, in one step, so two set-up tabs cannot both win. */
  createFirstStaff(staff: StaffRow, setupTokenHash: string, now: string): Promise<"created" | "token_invalid" | "email_taken">;
  createStaff(staff: StaffRow): Promise<"created" | "email_taken">;
  findStaffByEmail(email: string): Promise<StaffRow | undefined>;
  replaceStaffSetupToken(tokenHash: string, expiresAt: string): Promise<void>;

  createSession(session: SessionRow): Promise<void>;
  findSession(tokenHash: string): Promise<{ session: SessionRow; staff: StaffRow } | undefined>;
  touchSession(tokenHash: string, lastSeenAt: string): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;

  createResident(resident: ResidentRow): Promise<void>;
  listResidents(): Promise<ResidentRow[]>;
  findResident(id: string): Promise<ResidentRow | undefined>;

  createFamilyLink(link: FamilyLinkRow, tokenHash: string): Promise<void>;
  listFamilyLinks(residentId: string): Promise<FamilyLinkRow[]>;
  findFamilyLinkByTokenHash(tokenHash: string): Promise<FamilyLinkRow | undefined>;
  revokeFamilyLink(id: string, residentId: string, at: string): Promise<boolean>;
  touchFamilyLink(id: string, at: string): Promise<void>;

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

  /**
   * Appends a message and its log entry with the resident's next sequence number, durably. When
   * the id is already taken, nothing is written and the stored message is returned instead.
   */
  appendMessage(message: NewMessage): Promise<{ created: boolean; message: MessageRow }>;
  listMessagesFromLink(familyLinkId: string): Promise<MessageRow[]>;
  pullLog(residentId: string, afterSeq: number, limit: number): Promise<LogEntryRow[]>;
}
