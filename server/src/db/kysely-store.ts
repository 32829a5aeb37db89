import type { Photo, ReceiptState } from "@letterbox/shared";
import type { ExpressionBuilder, Kysely, Selectable, Transaction } from "kysely";
import type {
  AuditRow,
  DeviceHealthRow,
  DeviceRow,
  DeviceStatus,
  FamilyLinkPatch,
  FamilyLinkRow,
  InviteRow,
  LogEntryRow,
  MessageRow,
  NewMessage,
  NewReply,
  PhotoUploadRow,
  ReplyRow,
  ResidentFacts,
  ResidentPatch,
  ResidentRow,
  SessionRow,
  StaffRow,
  Store,
} from "../store";
import type { Database } from "./schema";

const toStaff = (r: Selectable<Database["staff"]>): StaffRow => ({
  id: r.id,
  name: r.name,
  email: r.email,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
  role: r.role as StaffRow["role"],
  disabledAt: r.disabled_at,
});
const toDeviceHealth = (r: Selectable<Database["devices"]>): DeviceHealthRow => ({
  ...toDevice(r),
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
const toResident = (r: Selectable<Database["residents"]>): ResidentRow => ({
  id: r.id,
  fullName: r.full_name,
  preferredName: r.preferred_name,
  createdAt: r.created_at,
  language: r.language as ResidentRow["language"],
  replyOptions: r.reply_options === null ? null : (JSON.parse(r.reply_options) as string[]),
  quietHours: r.quiet_start && r.quiet_end ? { start: r.quiet_start, end: r.quiet_end } : null,
  textSize: r.text_size as ResidentRow["textSize"],
  paused: r.paused === 1,
  familySeesAll: r.family_sees_all === 1,
  retentionDays: r.retention_days,
  archivedAt: r.archived_at,
});

function residentColumns(p: ResidentPatch) {
  const columns: Partial<Selectable<Database["residents"]>> = {};
  if (p.fullName !== undefined) columns.full_name = p.fullName;
  if (p.preferredName !== undefined) columns.preferred_name = p.preferredName;
  if (p.language !== undefined) columns.language = p.language;
  if (p.replyOptions !== undefined) columns.reply_options = p.replyOptions === null ? null : JSON.stringify(p.replyOptions);
  if (p.quietHours !== undefined) {
    columns.quiet_start = p.quietHours?.start ?? null;
    columns.quiet_end = p.quietHours?.end ?? null;
  }
  if (p.textSize !== undefined) columns.text_size = p.textSize;
  if (p.paused !== undefined) columns.paused = p.paused ? 1 : 0;
  if (p.familySeesAll !== undefined) columns.family_sees_all = p.familySeesAll ? 1 : 0;
  if (p.retentionDays !== undefined) columns.retention_days = p.retentionDays;
  if (p.archivedAt !== undefined) columns.archived_at = p.archivedAt;
  return columns;
}
const toFamilyLink = (r: Selectable<Database["family_links"]>): FamilyLinkRow => ({
  id: r.id,
  residentId: r.resident_id,
  label: r.label,
  displayName: r.display_name,
  relationship: r.relationship,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});
const toDevice = (r: Selectable<Database["devices"]>): DeviceRow => ({
  id: r.id,
  residentId: r.resident_id,
  pairedAt: r.paired_at,
  lastSeenAt: r.last_seen_at,
  revokedAt: r.revoked_at,
});
const toMessage = (r: Selectable<Database["messages"]>, photos: Photo[] = []): MessageRow => ({
  id: r.id,
  residentId: r.resident_id,
  familyLinkId: r.family_link_id,
  senderName: r.sender_name,
  senderRelationship: r.sender_relationship,
  text: r.text,
  photos,
  sentAt: r.sent_at,
  seq: r.seq,
  deletedAt: r.deleted_at,
  deliveredAt: r.delivered_at,
  seenAt: r.seen_at,
});
const toReply = (r: Selectable<Database["replies"]>): ReplyRow => ({
  id: r.id,
  residentId: r.resident_id,
  inReplyTo: r.in_reply_to,
  familyLinkId: r.family_link_id,
  text: r.text,
  sentAt: r.sent_at,
  seq: r.seq,
});

type Db = Kysely<Database> | Transaction<Database>;

const toPhotoUpload = (r: Selectable<Database["photo_uploads"]>): PhotoUploadRow => ({
  photoId: r.photo_id,
  familyLinkId: r.family_link_id,
  residentId: r.resident_id,
  width: r.width,
  height: r.height,
  uploadedAt: r.uploaded_at,
});

/** In a query on `photo_uploads as u`: the upload was sent, a live message from its uploader carries the photo. */
function sentByUploader(eb: ExpressionBuilder<Database & { u: Database["photo_uploads"] }, "u">) {
  return eb.exists(
    eb
      .selectFrom("message_photos as p")
      .innerJoin("messages as m", "m.id", "p.message_id")
      .select("p.photo_id")
      .whereRef("p.photo_id", "=", "u.photo_id")
      .whereRef("m.family_link_id", "=", "u.family_link_id")
      .where("m.deleted_at", "is", null),
  );
}

/** The photos of each message, in order, in one query. */
async function photosOf(db: Db, messageIds: string[]): Promise<Map<string, Photo[]>> {
  const byMessage = new Map<string, Photo[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .selectFrom("message_photos")
    .selectAll()
    .where("message_id", "in", messageIds)
    .orderBy("message_id")
    .orderBy("position")
    .execute();
  for (const r of rows) {
    const list = byMessage.get(r.message_id) ?? [];
    list.push({ id: r.photo_id, width: r.width, height: r.height, caption: r.caption });
    byMessage.set(r.message_id, list);
  }
  return byMessage;
}

async function messagesWithPhotos(db: Db, rows: Selectable<Database["messages"]>[]): Promise<MessageRow[]> {
  const photos = await photosOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toMessage(r, photos.get(r.id)));
}

/** Takes the resident's next sequence number; inside the caller's transaction. */
async function nextSeq(tx: Transaction<Database>, residentId: string): Promise<number> {
  const { last_seq } = await tx
    .updateTable("residents")
    .set((eb) => ({ last_seq: eb("last_seq", "+", 1) }))
    .where("id", "=", residentId)
    .returning("last_seq")
    .executeTakeFirstOrThrow();
  return last_seq;
}

const isUniqueViolation = (e: unknown) => e instanceof Error && /UNIQUE constraint failed|duplicate key value/.test(e.message);

/** The Store on any SQL database Kysely drives; today the embedded SQLite file. */
export class KyselyStore implements Store {
  constructor(private readonly db: Kysely<Database>) {}

  async countStaff() {
    const row = await this.db
      .selectFrom("staff")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async createFirstStaff(staff: StaffRow, setupTokenHash: string, now: string) {
    return this.db.transaction().execute(async (tx) => {
      const token = await tx
        .deleteFrom("staff_setup_tokens")
        .where("token_hash", "=", setupTokenHash)
        .where("expires_at", ">", now)
        .executeTakeFirst();
      if (Number(token.numDeletedRows) !== 1) return "token_invalid" as const;
      const existing = await tx.selectFrom("staff").select("id").limit(1).executeTakeFirst();
      if (existing) return "token_invalid" as const;
      await tx.insertInto("staff").values(staffValues(staff)).execute();
      return "created" as const;
    });
  }

  async staffSetupTokenUsable(setupTokenHash: string, now: string) {
    const token = await this.db
      .selectFrom("staff_setup_tokens")
      .select("token_hash")
      .where("token_hash", "=", setupTokenHash)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return token !== undefined && (await this.countStaff()) === 0;
  }

  async inviteUsable(tokenHash: string, now: string) {
    const invite = await this.db
      .selectFrom("staff_invites")
      .select("token_hash")
      .where("token_hash", "=", tokenHash)
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return invite !== undefined;
  }

  async createStaff(staff: StaffRow) {
    try {
      await this.db.insertInto("staff").values(staffValues(staff)).execute();
      return "created" as const;
    } catch (e) {
      if (isUniqueViolation(e)) return "email_taken" as const;
      throw e;
    }
  }

  async findStaffById(id: string) {
    const r = await this.db.selectFrom("staff").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toStaff(r);
  }

  async listStaff() {
    return (await this.db.selectFrom("staff").selectAll().orderBy("name").execute()).map(toStaff);
  }

  async setStaffDisabled(id: string, disabledAt: string | null) {
    const res = await this.db.updateTable("staff").set({ disabled_at: disabledAt }).where("id", "=", id).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async deleteSessionsOf(staffId: string) {
    const res = await this.db.deleteFrom("staff_sessions").where("staff_id", "=", staffId).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async createInvite(i: InviteRow) {
    await this.db
      .insertInto("staff_invites")
      .values({
        token_hash: i.tokenHash,
        role: i.role,
        created_by: i.createdBy,
        created_at: i.createdAt,
        expires_at: i.expiresAt,
        used_at: null,
      })
      .execute();
  }

  async acceptInvite(tokenHash: string, staff: Omit<StaffRow, "role">, now: string) {
    return this.db
      .transaction()
      .execute(async (tx) => {
        const invite = await tx
          .updateTable("staff_invites")
          .set({ used_at: now })
          .where("token_hash", "=", tokenHash)
          .where("used_at", "is", null)
          .where("expires_at", ">", now)
          .returning("role")
          .executeTakeFirst();
        if (!invite) return "invite_invalid" as const;
        const taken = await tx.selectFrom("staff").select("id").where("email", "=", staff.email).executeTakeFirst();
        // Throwing rolls the invite back too, so it can be used again with another address.
        if (taken) throw new EmailTaken();
        await tx
          .insertInto("staff")
          .values(staffValues({ ...staff, role: invite.role as StaffRow["role"] }))
          .execute();
        return "created" as const;
      })
      .catch((e) => {
        if (e instanceof EmailTaken) return "email_taken" as const;
        throw e;
      });
  }

  async appendAudit(a: AuditRow) {
    await this.db
      .insertInto("audit_log")
      .values({
        at: a.at,
        staff_id: a.staffId,
        staff_name: a.staffName,
        action: a.action,
        resident_id: a.residentId,
        detail: JSON.stringify(a.detail),
        source: a.source,
      })
      .execute();
  }

  async listAudit(limit: number) {
    const rows = await this.db.selectFrom("audit_log").selectAll().orderBy("id", "desc").limit(limit).execute();
    return rows.map((r) => ({
      at: r.at,
      staffId: r.staff_id,
      staffName: r.staff_name,
      action: r.action,
      residentId: r.resident_id,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
      source: r.source,
    }));
  }

  async pruneAudit(before: string) {
    const res = await this.db.deleteFrom("audit_log").where("at", "<", before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async getOrgSettings() {
    const rows = await this.db.selectFrom("org_settings").selectAll().execute();
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
  }

  async setOrgSettings(values: Record<string, unknown>) {
    await this.db.transaction().execute(async (tx) => {
      for (const [key, value] of Object.entries(values)) {
        await tx
          .insertInto("org_settings")
          .values({ key, value: JSON.stringify(value) })
          .onConflict((oc) => oc.column("key").doUpdateSet({ value: JSON.stringify(value) }))
          .execute();
      }
    });
  }

  async findStaffByEmail(email: string) {
    const r = await this.db.selectFrom("staff").selectAll().where("email", "=", email).executeTakeFirst();
    return r && toStaff(r);
  }

  async replaceStaffSetupToken(tokenHash: string, expiresAt: string) {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom("staff_setup_tokens").execute();
      await tx.insertInto("staff_setup_tokens").values({ token_hash: tokenHash, expires_at: expiresAt }).execute();
    });
  }

  async createSession(s: SessionRow) {
    await this.db
      .insertInto("staff_sessions")
      .values({ token_hash: s.tokenHash, staff_id: s.staffId, created_at: s.createdAt, last_seen_at: s.lastSeenAt })
      .execute();
  }

  async findSession(tokenHash: string) {
    const r = await this.db
      .selectFrom("staff_sessions as s")
      .innerJoin("staff", "staff.id", "s.staff_id")
      .selectAll("staff")
      .select(["s.token_hash", "s.created_at as session_created_at", "s.last_seen_at"])
      .where("s.token_hash", "=", tokenHash)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      session: { tokenHash: r.token_hash, staffId: r.id, createdAt: r.session_created_at, lastSeenAt: r.last_seen_at },
      staff: toStaff(r),
    };
  }

  async touchSession(tokenHash: string, lastSeenAt: string) {
    await this.db.updateTable("staff_sessions").set({ last_seen_at: lastSeenAt }).where("token_hash", "=", tokenHash).execute();
  }

  async deleteSession(tokenHash: string) {
    await this.db.deleteFrom("staff_sessions").where("token_hash", "=", tokenHash).execute();
  }

  async createResident(r: ResidentRow) {
    await this.db
      .insertInto("residents")
      .values({
        id: r.id,
        full_name: r.fullName,
        preferred_name: r.preferredName,
        created_at: r.createdAt,
        last_seq: 0,
        language: r.language,
        reply_options: null,
        quiet_start: null,
        quiet_end: null,
        text_size: r.textSize,
        paused: 0,
        family_sees_all: 0,
        archived_at: null,
        retention_days: r.retentionDays,
        ...residentColumns(r),
      })
      .execute();
  }

  async updateResident(id: string, patch: ResidentPatch) {
    const columns = residentColumns(patch);
    if (Object.keys(columns).length > 0) await this.db.updateTable("residents").set(columns).where("id", "=", id).execute();
    return this.findResident(id);
  }

  async listResidents() {
    const rows = await this.db.selectFrom("residents").selectAll().orderBy("full_name").execute();
    return rows.map(toResident);
  }

  async findResident(id: string) {
    const r = await this.db.selectFrom("residents").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toResident(r);
  }

  async eraseResident(id: string) {
    return this.db.transaction().execute(async (tx) => {
      const exists = await tx.selectFrom("residents").select("id").where("id", "=", id).executeTakeFirst();
      if (!exists) return undefined;
      const inMessages = await tx
        .selectFrom("message_photos as p")
        .innerJoin("messages as m", "m.id", "p.message_id")
        .select("p.photo_id")
        .where("m.resident_id", "=", id)
        .execute();
      const uploaded = await tx.selectFrom("photo_uploads").select("photo_id").where("resident_id", "=", id).execute();
      // Rows that point at the resident go with it (foreign keys cascade); the log is deleted
      // explicitly too, in case a database was made without them.
      await tx.deleteFrom("log_entries").where("resident_id", "=", id).execute();
      await tx.deleteFrom("photo_upload_quota").where("resident_id", "=", id).execute();
      await tx.deleteFrom("residents").where("id", "=", id).execute();
      return { photoIds: [...new Set([...inMessages, ...uploaded].map((r) => r.photo_id))] };
    });
  }

  async residentFacts(): Promise<ResidentFacts[]> {
    const rows = await this.db
      .selectFrom("messages")
      .select((eb) => [
        "resident_id",
        eb.fn.countAll<number>().filterWhere("seen_at", "is", null).filterWhere("deleted_at", "is", null).as("unseen"),
        eb.fn.min("sent_at").filterWhere("seen_at", "is", null).filterWhere("deleted_at", "is", null).as("oldest_unseen"),
        // A message deleted since (by retention or its sender) was still sent and seen: counting it
        // keeps a short retention period from raising "no family message" for a family who wrote.
        eb.fn.max("seen_at").as("last_seen"),
        eb.fn.max("sent_at").as("last_sent"),
      ])
      .groupBy("resident_id")
      .execute();
    return rows.map((r) => ({
      residentId: r.resident_id,
      unseenCount: Number(r.unseen),
      oldestUnseenAt: r.oldest_unseen ?? null,
      lastSeenMessageAt: r.last_seen ?? null,
      lastFamilyMessageAt: r.last_sent ?? null,
    }));
  }

  async messagesSentBefore(residentId: string, before: string) {
    const rows = await this.db
      .selectFrom("messages")
      .select(["id", "family_link_id"])
      .where("resident_id", "=", residentId)
      .where("deleted_at", "is", null)
      .where("sent_at", "<", before)
      .execute();
    return rows.map((r) => ({ id: r.id, familyLinkId: r.family_link_id }));
  }

  async createFamilyLink(l: FamilyLinkRow, tokenHash: string) {
    await this.db
      .insertInto("family_links")
      .values({
        id: l.id,
        resident_id: l.residentId,
        label: l.label,
        token_hash: tokenHash,
        created_at: l.createdAt,
        revoked_at: l.revokedAt,
        last_used_at: l.lastUsedAt,
        display_name: l.displayName,
        relationship: l.relationship,
      })
      .execute();
  }

  async listFamilyLinks(residentId: string) {
    const rows = await this.db
      .selectFrom("family_links")
      .selectAll()
      .where("resident_id", "=", residentId)
      .orderBy("created_at")
      .execute();
    return rows.map(toFamilyLink);
  }

  async findFamilyLinkByTokenHash(tokenHash: string) {
    const r = await this.db.selectFrom("family_links").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
    return r && toFamilyLink(r);
  }

  async revokeFamilyLink(id: string, residentId: string, at: string) {
    const res = await this.db
      .updateTable("family_links")
      .set({ revoked_at: at })
      .where("id", "=", id)
      .where("resident_id", "=", residentId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async replaceFamilyLinkToken(id: string, residentId: string, tokenHash: string) {
    const r = await this.db
      .updateTable("family_links")
      .set({ token_hash: tokenHash, revoked_at: null })
      .where("id", "=", id)
      .where("resident_id", "=", residentId)
      .returningAll()
      .executeTakeFirst();
    return r && toFamilyLink(r);
  }

  async setFamilyDisplayName(id: string, displayName: string | null) {
    await this.db.updateTable("family_links").set({ display_name: displayName }).where("id", "=", id).execute();
  }

  async updateFamilyLink(id: string, residentId: string, patch: FamilyLinkPatch) {
    const columns: Partial<Selectable<Database["family_links"]>> = {};
    if (patch.label !== undefined) columns.label = patch.label;
    if (patch.relationship !== undefined) columns.relationship = patch.relationship;
    const query = this.db.updateTable("family_links").where("id", "=", id).where("resident_id", "=", residentId);
    // Nothing to change still says whether the link is there.
    const r =
      Object.keys(columns).length === 0
        ? await this.db
            .selectFrom("family_links")
            .selectAll()
            .where("id", "=", id)
            .where("resident_id", "=", residentId)
            .executeTakeFirst()
        : await query.set(columns).returningAll().executeTakeFirst();
    return r && toFamilyLink(r);
  }

  async touchFamilyLink(id: string, at: string) {
    await this.db.updateTable("family_links").set({ last_used_at: at }).where("id", "=", id).execute();
  }

  async createSetupCode(c: { codeHash: string; residentId: string; createdBy: string; createdAt: string; expiresAt: string }) {
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

  async pairDevice(codeHash: string, device: DeviceRow, tokenHash: string, now: string) {
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

  async findDeviceByTokenHash(tokenHash: string) {
    const r = await this.db.selectFrom("devices").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
    return r && toDevice(r);
  }

  async touchDevice(id: string, at: string) {
    await this.db.updateTable("devices").set({ last_seen_at: at }).where("id", "=", id).execute();
  }

  async recordDeviceStatus(id: string, st: DeviceStatus, at: string) {
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

  async listDevices(residentId?: string) {
    let query = this.db.selectFrom("devices").selectAll().orderBy("paired_at", "desc");
    if (residentId) query = query.where("resident_id", "=", residentId);
    return (await query.execute()).map(toDeviceHealth);
  }

  async wipeDevice(id: string, residentId: string, at: string) {
    const res = await this.db
      .updateTable("devices")
      .set({ revoked_at: at })
      .where("id", "=", id)
      .where("resident_id", "=", residentId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /**
   * Group commit: appends that arrive while the disk is busy are written together in one
   * transaction, and each caller is answered only after that transaction's commit is on disk.
   * One fsync then covers many messages instead of one, without weakening durability.
   */
  appendMessage(m: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pendingAppends.push({ message: m, resolve, reject });
      if (this.pendingAppends.length === 1) setImmediate(() => void this.flushAppends());
    });
  }

  private pendingAppends: PendingAppend[] = [];

  private async flushAppends() {
    const batch = this.pendingAppends.splice(0);
    try {
      const results = await this.db.transaction().execute(async (tx) => {
        const out: AppendResult[] = [];
        for (const { message } of batch) out.push(await appendIn(tx, message));
        return out;
      });
      for (const [i, p] of batch.entries()) p.resolve(results[i] as AppendResult);
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      // One bad append must not fail its neighbours: each is tried again on its own.
      for (const p of batch) {
        this.db
          .transaction()
          .execute((tx) => appendIn(tx, p.message))
          .then(p.resolve, p.reject);
      }
    }
  }

  async deleteMessage(id: string, familyLinkId: string, at: string) {
    return this.db.transaction().execute(async (tx) => {
      const message = await tx
        .selectFrom("messages")
        .select(["resident_id", "deleted_at"])
        .where("id", "=", id)
        .where("family_link_id", "=", familyLinkId)
        .executeTakeFirst();
      if (!message) return { result: "not_found" as const };
      if (message.deleted_at) return { result: "already_deleted" as const };
      const seq = await nextSeq(tx, message.resident_id);
      // The text and photos go at once; the row stays so the log and replies still make sense.
      await tx.updateTable("messages").set({ deleted_at: at, text: "" }).where("id", "=", id).execute();
      const photos = await tx.deleteFrom("message_photos").where("message_id", "=", id).returning("photo_id").execute();
      if (photos.length > 0) {
        await tx
          .deleteFrom("photo_uploads")
          .where("family_link_id", "=", familyLinkId)
          .where(
            "photo_id",
            "in",
            photos.map((p) => p.photo_id),
          )
          .execute();
      }
      await tx
        .insertInto("log_entries")
        .values({
          resident_id: message.resident_id,
          seq,
          kind: "message_deleted",
          at,
          message_id: id,
          reply_id: null,
          receipt_state: null,
        })
        .execute();
      return { result: "deleted" as const, residentId: message.resident_id, seq, photoIds: photos.map((p) => p.photo_id) };
    });
  }

  async recordReceipts(residentId: string, receipts: { messageId: string; state: ReceiptState }[], at: string) {
    return this.db.transaction().execute(async (tx) => {
      const recorded: { seq: number; familyLinkId: string }[] = [];
      for (const { messageId, state } of receipts) {
        const message = await tx
          .selectFrom("messages")
          .select(["delivered_at", "seen_at", "family_link_id"])
          .where("id", "=", messageId)
          .where("resident_id", "=", residentId)
          .where("deleted_at", "is", null)
          .executeTakeFirst();
        // A receipt for a message the relay no longer has (deleted meanwhile) is simply dropped.
        if (!message) continue;
        if (state === "delivered" ? message.delivered_at : message.seen_at) continue;
        const seq = await nextSeq(tx, residentId);
        await tx
          .updateTable("messages")
          .set(state === "seen" ? { seen_at: at, delivered_at: message.delivered_at ?? at } : { delivered_at: at })
          .where("id", "=", messageId)
          .execute();
        await tx
          .insertInto("log_entries")
          .values({
            resident_id: residentId,
            seq,
            kind: "receipt",
            at,
            message_id: messageId,
            reply_id: null,
            receipt_state: state,
          })
          .execute();
        recorded.push({ seq, familyLinkId: message.family_link_id });
      }
      return recorded;
    });
  }

  async appendReply(r: NewReply) {
    return this.db.transaction().execute(async (tx) => {
      const existing = await tx.selectFrom("replies").selectAll().where("id", "=", r.id).executeTakeFirst();
      if (existing) return { created: false, reply: toReply(existing) };
      const message = await tx
        .selectFrom("messages")
        .select("family_link_id")
        .where("id", "=", r.inReplyTo)
        .where("resident_id", "=", r.residentId)
        .executeTakeFirst();
      if (!message) return "no_message" as const;
      const seq = await nextSeq(tx, r.residentId);
      const row = {
        id: r.id,
        resident_id: r.residentId,
        in_reply_to: r.inReplyTo,
        family_link_id: message.family_link_id,
        text: r.text,
        sent_at: r.sentAt,
        seq,
      };
      await tx.insertInto("replies").values(row).execute();
      await tx
        .insertInto("log_entries")
        .values({
          resident_id: r.residentId,
          seq,
          kind: "reply",
          at: r.sentAt,
          message_id: null,
          reply_id: r.id,
          receipt_state: null,
        })
        .execute();
      return { created: true, reply: toReply(row) };
    });
  }

  async pullLog(residentId: string, afterSeq: number, limit: number): Promise<LogEntryRow[]> {
    const entries = await this.db
      .selectFrom("log_entries")
      .selectAll()
      .where("resident_id", "=", residentId)
      .where("seq", ">", afterSeq)
      .orderBy("seq")
      .limit(limit)
      .execute();
    if (entries.length === 0) return [];
    const messageIds = entries.filter((e) => e.kind === "message" && e.message_id).map((e) => e.message_id as string);
    const replyIds = entries.filter((e) => e.kind === "reply" && e.reply_id).map((e) => e.reply_id as string);
    const messages =
      messageIds.length === 0
        ? []
        : await messagesWithPhotos(
            this.db,
            await this.db.selectFrom("messages").selectAll().where("id", "in", messageIds).execute(),
          );
    const replies =
      replyIds.length === 0
        ? []
        : (await this.db.selectFrom("replies").selectAll().where("id", "in", replyIds).execute()).map(toReply);
    const messageById = new Map(messages.map((m) => [m.id, m]));
    const replyById = new Map(replies.map((r) => [r.id, r]));
    return entries.flatMap((e): LogEntryRow[] => {
      const base = { seq: e.seq, at: e.at };
      switch (e.kind) {
        case "message": {
          const message = messageById.get(e.message_id ?? "");
          return message ? [{ ...base, kind: "message", message }] : [];
        }
        case "reply": {
          const reply = replyById.get(e.reply_id ?? "");
          return reply ? [{ ...base, kind: "reply", reply }] : [];
        }
        case "message_deleted":
          return [{ ...base, kind: "message_deleted", messageId: e.message_id ?? "" }];
        case "receipt":
          return [{ ...base, kind: "receipt", messageId: e.message_id ?? "", state: e.receipt_state as ReceiptState }];
        default:
          return [];
      }
    });
  }

  async conversation(residentId: string, includeDeleted = false) {
    let query = this.db.selectFrom("messages").selectAll().where("resident_id", "=", residentId);
    if (!includeDeleted) query = query.where("deleted_at", "is", null);
    const messageRows = await query.orderBy("seq").execute();
    const replies = await this.db
      .selectFrom("replies")
      .selectAll()
      .where("resident_id", "=", residentId)
      .orderBy("seq")
      .execute();
    return { messages: await messagesWithPhotos(this.db, messageRows), replies: replies.map(toReply) };
  }

  async logPosition(residentId: string) {
    const row = await this.db
      .selectFrom("residents")
      .select((eb) => ["last_seq", eb.selectFrom("log_identity").select("log_id").where("id", "=", 1).as("log_id")])
      .where("id", "=", residentId)
      .executeTakeFirst();
    if (!row?.log_id) return undefined;
    return { logId: row.log_id, head: row.last_seq };
  }

  async tabletLastSeen(residentId: string) {
    const row = await this.db
      .selectFrom("devices")
      .select((eb) => eb.fn.max("last_seen_at").as("last"))
      .where("resident_id", "=", residentId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return row?.last ?? null;
  }

  async recordPhotoUpload(u: PhotoUploadRow) {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto("photo_uploads")
        .values({
          photo_id: u.photoId,
          family_link_id: u.familyLinkId,
          resident_id: u.residentId,
          width: u.width,
          height: u.height,
          uploaded_at: u.uploadedAt,
        })
        .execute();
      await tx
        .insertInto("photo_upload_quota")
        .values({ family_link_id: u.familyLinkId, resident_id: u.residentId, uploaded_at: u.uploadedAt })
        .execute();
    });
  }

  async unsentPhotoUploads(residentId: string) {
    const rows = await this.db
      .selectFrom("photo_uploads as u")
      .selectAll()
      .where("u.resident_id", "=", residentId)
      .where((eb) => eb.not(sentByUploader(eb)))
      .orderBy("u.uploaded_at")
      .execute();
    return rows.map(toPhotoUpload);
  }

  async expireUnsentPhotoUploads(before: string) {
    return this.db.transaction().execute(async (tx) => {
      const expired = await tx
        .deleteFrom("photo_uploads as u")
        .where("u.uploaded_at", "<", before)
        .where((eb) => eb.not(sentByUploader(eb)))
        .returning("photo_id")
        .execute();
      await tx.deleteFrom("photo_upload_quota").where("uploaded_at", "<", before).execute();
      return [...new Set(expired.map((r) => r.photo_id))];
    });
  }

  async countPhotoUploadsSince(familyLinkId: string, since: string) {
    const row = await this.db
      .selectFrom("photo_upload_quota")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("family_link_id", "=", familyLinkId)
      .where("uploaded_at", ">", since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findPhotoUpload(photoId: string, familyLinkId: string) {
    const r = await this.db
      .selectFrom("photo_uploads")
      .selectAll()
      .where("photo_id", "=", photoId)
      .where("family_link_id", "=", familyLinkId)
      .executeTakeFirst();
    return r && toPhotoUpload(r);
  }

  async isPhotoInConversation(photoId: string, residentId: string) {
    const row = await this.db
      .selectFrom("message_photos as p")
      .innerJoin("messages as m", "m.id", "p.message_id")
      .select("p.photo_id")
      .where("p.photo_id", "=", photoId)
      .where("m.resident_id", "=", residentId)
      .where("m.deleted_at", "is", null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async photoSenders(photoId: string, residentId: string) {
    const rows = await this.db
      .selectFrom("message_photos as p")
      .innerJoin("messages as m", "m.id", "p.message_id")
      .select("m.family_link_id")
      .distinct()
      .where("p.photo_id", "=", photoId)
      .where("m.resident_id", "=", residentId)
      .where("m.deleted_at", "is", null)
      .execute();
    return rows.map((r) => r.family_link_id);
  }

  async isPhotoReferenced(photoId: string) {
    const inMessage = await this.db
      .selectFrom("message_photos as p")
      .innerJoin("messages as m", "m.id", "p.message_id")
      .select("p.photo_id")
      .where("p.photo_id", "=", photoId)
      .where("m.deleted_at", "is", null)
      .executeTakeFirst();
    if (inMessage) return true;
    const uploaded = await this.db
      .selectFrom("photo_uploads")
      .select("photo_id")
      .where("photo_id", "=", photoId)
      .executeTakeFirst();
    return uploaded !== undefined;
  }
}

type AppendResult = { created: boolean; message: MessageRow };
type PendingAppend = { message: NewMessage; resolve: (r: AppendResult) => void; reject: (e: unknown) => void };

/** Stores one message and its log entry with the resident's next sequence number, unless the id is taken. */
async function appendIn(tx: Transaction<Database>, m: NewMessage): Promise<AppendResult> {
  const existing = await tx.selectFrom("messages").selectAll().where("id", "=", m.id).executeTakeFirst();
  if (existing) return { created: false, message: (await messagesWithPhotos(tx, [existing]))[0] as MessageRow };
  const seq = await nextSeq(tx, m.residentId);
  const row = {
    id: m.id,
    resident_id: m.residentId,
    family_link_id: m.familyLinkId,
    sender_name: m.senderName,
    sender_relationship: m.senderRelationship,
    text: m.text,
    sent_at: m.sentAt,
    seq,
    deleted_at: null,
    delivered_at: null,
    seen_at: null,
  };
  await tx.insertInto("messages").values(row).execute();
  if (m.photos.length > 0) {
    await tx
      .insertInto("message_photos")
      .values(
        m.photos.map((p, position) => ({
          message_id: m.id,
          position,
          photo_id: p.id,
          width: p.width,
          height: p.height,
          caption: p.caption,
        })),
      )
      .execute();
  }
  await tx
    .insertInto("log_entries")
    .values({
      resident_id: m.residentId,
      seq,
      kind: "message",
      at: m.sentAt,
      message_id: m.id,
      reply_id: null,
      receipt_state: null,
    })
    .execute();
  return { created: true, message: toMessage(row, m.photos) };
}

class EmailTaken extends Error {}

function staffValues(s: StaffRow) {
  return {
    id: s.id,
    name: s.name,
    email: s.email,
    password_hash: s.passwordHash,
    created_at: s.createdAt,
    role: s.role,
    disabled_at: s.disabledAt,
  };
}
