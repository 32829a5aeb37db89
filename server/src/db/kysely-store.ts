import type { Kysely, Selectable, Transaction } from "kysely";
import type {
  DeviceRow,
  FamilyLinkRow,
  LogEntryRow,
  MessageRow,
  NewMessage,
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
});
const toResident = (r: Selectable<Database["residents"]>): ResidentRow => ({
  id: r.id,
  fullName: r.full_name,
  preferredName: r.preferred_name,
  createdAt: r.created_at,
});
const toFamilyLink = (r: Selectable<Database["family_links"]>): FamilyLinkRow => ({
  id: r.id,
  residentId: r.resident_id,
  label: r.label,
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
const toMessage = (r: Selectable<Database["messages"]>): MessageRow => ({
  id: r.id,
  residentId: r.resident_id,
  familyLinkId: r.family_link_id,
  senderName: r.sender_name,
  text: r.text,
  sentAt: r.sent_at,
  seq: r.seq,
});

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

  async createStaff(staff: StaffRow) {
    try {
      await this.db.insertInto("staff").values(staffValues(staff)).execute();
      return "created" as const;
    } catch (e) {
      if (isUniqueViolation(e)) return "email_taken" as const;
      throw e;
    }
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
      .values({ id: r.id, full_name: r.fullName, preferred_name: r.preferredName, created_at: r.createdAt, last_seq: 0 })
      .execute();
  }

  async listResidents() {
    const rows = await this.db.selectFrom("residents").selectAll().orderBy("full_name").execute();
    return rows.map(toResident);
  }

  async findResident(id: string) {
    const r = await this.db.selectFrom("residents").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toResident(r);
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

  async listMessagesFromLink(familyLinkId: string) {
    const rows = await this.db
      .selectFrom("messages")
      .selectAll()
      .where("family_link_id", "=", familyLinkId)
      .orderBy("seq")
      .execute();
    return rows.map(toMessage);
  }

  async pullLog(residentId: string, afterSeq: number, limit: number): Promise<LogEntryRow[]> {
    const rows = await this.db
      .selectFrom("log_entries as l")
      .innerJoin("messages as m", "m.id", "l.message_id")
      .selectAll("m")
      .select(["l.seq as entry_seq", "l.kind", "l.at"])
      .where("l.resident_id", "=", residentId)
      .where("l.seq", ">", afterSeq)
      .orderBy("l.seq")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ seq: r.entry_seq, kind: "message" as const, at: r.at, message: toMessage(r) }));
  }
}

type AppendResult = { created: boolean; message: MessageRow };
type PendingAppend = { message: NewMessage; resolve: (r: AppendResult) => void; reject: (e: unknown) => void };

/** Stores one message and its log entry with the resident's next sequence number, unless the id is taken. */
async function appendIn(tx: Transaction<Database>, m: NewMessage): Promise<AppendResult> {
  const existing = await tx.selectFrom("messages").selectAll().where("id", "=", m.id).executeTakeFirst();
  if (existing) return { created: false, message: toMessage(existing) };
  const { last_seq: seq } = await tx
    .updateTable("residents")
    .set((eb) => ({ last_seq: eb("last_seq", "+", 1) }))
    .where("id", "=", m.residentId)
    .returning("last_seq")
    .executeTakeFirstOrThrow();
  const row = {
    id: m.id,
    resident_id: m.residentId,
    family_link_id: m.familyLinkId,
    sender_name: m.senderName,
    text: m.text,
    sent_at: m.sentAt,
    seq,
  };
  await tx.insertInto("messages").values(row).execute();
  await tx
    .insertInto("log_entries")
    .values({ resident_id: m.residentId, seq, kind: "message", at: m.sentAt, message_id: m.id })
    .execute();
  return { created: true, message: toMessage(row) };
}

function staffValues(s: StaffRow) {
  return { id: s.id, name: s.name, email: s.email, password_hash: s.passwordHash, created_at: s.createdAt };
}
