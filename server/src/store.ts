import type { PullHeads } from "./db/pull-heads";
import type { AuditStore } from "./db/stores/audit-store";
import type { DeviceStore } from "./db/stores/device-store";
import type { FamilyLinkStore } from "./db/stores/family-link-store";
import type { HealthStore } from "./db/stores/health-store";
import type { LimitStore } from "./db/stores/limit-store";
import type { LogStore } from "./db/stores/log-store";
import type { PhotoRecordStore } from "./db/stores/photo-record-store";
import type { ResidentStore } from "./db/stores/resident-store";
import type { StaffStore } from "./db/stores/staff-store";
import type { PushStore } from "./push/push-store";

/**
 * Everything the relay keeps, by what it keeps: each part a small interface (beside its Kysely
 * implementation in db/stores/), so that the embedded SQLite file and a council's PostgreSQL are
 * interchangeable. Services receive the whole; `kyselyStore` in db/kysely-store.ts composes it.
 * Times are ISO-8601 strings in UTC.
 */
export interface Store {
  staff: StaffStore;
  residents: ResidentStore;
  familyLinks: FamilyLinkStore;
  devices: DeviceStore;
  log: LogStore;
  photoRecords: PhotoRecordStore;
  audit: AuditStore;
  push: PushStore;
  /** Budgets of tries against guessing, shared by every instance of the relay. */
  limits: LimitStore;
  /** Whether the database answers and has run every migration, for /readyz. */
  health: HealthStore;
  /**
   * Each resident's log head and settings in memory, so a poll that finds nothing new reads no
   * database (db/pull-heads.ts says why it stays right). The log store reads and fills it.
   */
  heads: PullHeads;
}

export type { AuditRow, AuditStore } from "./db/stores/audit-store";
export type { DeviceHealthRow, DeviceRow, DeviceStatus, DeviceStore, NewSetupCode } from "./db/stores/device-store";
export type { FamilyLinkPatch, FamilyLinkRow, FamilyLinkStore } from "./db/stores/family-link-store";
export type { HealthStore } from "./db/stores/health-store";
export type { Counter, CounterChanges, LimitStore } from "./db/stores/limit-store";
export type { LogEntryRow, LogKind, LogStore, MessageRow, NewMessage, NewReply, ReplyRow } from "./db/stores/log-store";
export type { PhotoRecordStore, PhotoUploadRow } from "./db/stores/photo-record-store";
export type { ResidentFacts, ResidentPatch, ResidentRow, ResidentStore } from "./db/stores/resident-store";
export type { InviteRow, SessionRow, StaffRow, StaffStore } from "./db/stores/staff-store";
