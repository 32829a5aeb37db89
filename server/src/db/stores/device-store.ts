import type { Battery } from "@letterbox/shared";
import type { Kysely, Selectable } from "kysely";
import type { Database } from "../schema";
import { BUSY, type SqliteHotPaths } from "../sqlite-hot";
import { type ResidentRow, toResident } from "./resident-store";

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
export type NewSetupCode = { codeHash: string; residentId: string; createdBy: string; createdAt: string; expiresAt: string };

/** The residents' tablets: the codes that set them up, their tokens (hashed) and what they last reported. */
export interface DeviceStore {
  createSetupCode(code: NewSetupCode): Promise<void>;
  /**
   * Uses the code (if unused and unexpired) and records the new device, atomically: a code pairs
   * exactly one tablet even when two try at once.
   */
  pair(codeHash: string, device: DeviceRow, tokenHash: string, now: string): Promise<ResidentRow | undefined>;
  findByTokenHash(tokenHash: string): Promise<DeviceRow | undefined>;
  touch(id: string, at: string): Promise<void>;
  recordStatus(id: string, status: DeviceStatus, at: string): Promise<void>;
  /** Every tablet, newest first, or one resident's. */
  list(residentId?: string): Promise<DeviceHealthRow[]>;
  wipe(id: string, residentId: string, at: string): Promise<boolean>;
  /** When any of the resident's tablets last reached the relay. */
  lastSeen(residentId: string): Promise<string | null>;
}

export class KyselyDeviceStore implements DeviceStore {
  constructor(
    private readonly db: Kysely<Database>,
    /** SQLite's prepared lookup by token (sqlite-hot.ts), where the store is on SQLite. */
    private readonly hot?: Pick<SqliteHotPaths, "device">,
  ) {}

  async createSetupCode(c: NewSetupCode) {
    await this.db
      .insertInto("setup_codes")
      .values({
        code_hash: c.codeHash,
        resident_id: c.residentId,
        created_by: c.createdBy,
        created_at: c.createdAt,
        expires_at: c.expiresAt,
        used_at: null,
      })
      .execute();
  }

  async pair(codeHash: string, device: DeviceRow, tokenHash: string, now: string) {
    return this.db.transaction().execute(async (tx) => {
      const code = await tx
        .updateTable("setup_codes")
        .set({ used_at: now })
        .where("code_hash", "=", codeHash)
        .where("used_at", "is", null)
        .where("expires_at", ">", now)
        .returning("resident_id")
        .executeTakeFirst();
      if (!code) return undefined;
      const resident = await tx.selectFrom("residents").selectAll().where("id", "=", code.resident_id).executeTakeFirst();
      if (!resident) return undefined;
      await tx
        .insertInto("devices")
        .values({
          id: device.id,
          resident_id: resident.id,
          token_hash: tokenHash,
          paired_at: device.pairedAt,
          last_seen_at: device.lastSeenAt,
          revoked_at: null,
        })
        .execute();
      return toResident(resident);
    });
  }

  async findByTokenHash(tokenHash: string) {
    const fast = this.hot ? this.hot.device(tokenHash) : BUSY;
    if (fast !== BUSY) return fast;
    const r = await this.db.selectFrom("devices").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
    return r && toDevice(r);
  }

  async touch(id: string, at: string) {
    await this.db.updateTable("devices").set({ last_seen_at: at }).where("id", "=", id).execute();
  }

  async recordStatus(id: string, st: DeviceStatus, at: string) {
    await this.db
      .updateTable("devices")
      .set({
        app_version: st.appVersion,
        language: st.language,
        storage_used: st.storageUsedBytes,
        storage_quota: st.storageQuotaBytes,
        storage_persisted: st.storagePersisted ? 1 : 0,
        battery_level: st.battery?.level ?? null,
        battery_charging: st.battery ? (st.battery.charging ? 1 : 0) : null,
        status_at: at,
      })
      .where("id", "=", id)
      .execute();
  }

  async list(residentId?: string) {
    let query = this.db.selectFrom("devices").select(HEALTH_COLUMNS).orderBy("paired_at", "desc");
    if (residentId) query = query.where("resident_id", "=", residentId);
    return (await query.execute()).map(toDeviceHealth);
  }

  async wipe(id: string, residentId: string, at: string) {
    const res = await this.db
      .updateTable("devices")
      .set({ revoked_at: at })
      .where("id", "=", id)
      .where("resident_id", "=", residentId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async lastSeen(residentId: string) {
    const row = await this.db
      .selectFrom("devices")
      .select((eb) => eb.fn.max("last_seen_at").as("last"))
      .where("resident_id", "=", residentId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return row?.last ?? null;
  }
}

const toDevice = (r: Selectable<Database["devices"]>): DeviceRow => ({
  id: r.id,
  residentId: r.resident_id,
  pairedAt: r.paired_at,
  lastSeenAt: r.last_seen_at,
  revokedAt: r.revoked_at,
});

// Written out rather than spreading toDevice(r): on Node 20 a spread followed by more fields costs
// about a microsecond an object, which is most of what listing every tablet costs.
/** Every column but the token's hash, which a list has no use for. */
const HEALTH_COLUMNS = [
  "id",
  "resident_id",
  "paired_at",
  "last_seen_at",
  "revoked_at",
  "app_version",
  "language",
  "storage_used",
  "storage_quota",
  "storage_persisted",
  "battery_level",
  "battery_charging",
  "status_at",
] as const;

const toDeviceHealth = (r: Omit<Selectable<Database["devices"]>, "token_hash">): DeviceHealthRow => ({
  id: r.id,
  residentId: r.resident_id,
  pairedAt: r.paired_at,
  lastSeenAt: r.last_seen_at,
  revokedAt: r.revoked_at,
  appVersion: r.app_version,
  language: r.language,
  storageUsedBytes: r.storage_used,
  storageQuotaBytes: r.storage_quota,
  storagePersisted: r.storage_persisted === null ? null : r.storage_persisted === 1,
  battery:
    r.battery_level === null || r.battery_charging === null
      ? null
      : { level: r.battery_level, charging: r.battery_charging === 1 },
  statusAt: r.status_at,
});
