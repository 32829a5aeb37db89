import type { StaffRole } from "@letterbox/shared";
import type { Kysely, Selectable } from "kysely";
import type { Database } from "../schema";
import { lockDatabaseWide } from "./locks";

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
export type InviteRow = { tokenHash: string; role: StaffRole; createdBy: string; createdAt: string; expiresAt: string };

/** Council staff: their accounts, sign-in sessions, invitations and the set-up links for the first account. */
export interface StaffStore {
  count(): Promise<number>;
  /**
   * Creates the first administrator only if there is no staff yet, in one step, so two set-up tabs
   * cannot both win; every set-up link then stops working.
   */
  createFirst(staff: StaffRow, setupTokenHash: string, now: string): Promise<"created" | "token_invalid" | "email_taken">;
  /** Whether the set-up link would make the first account now; checked before a password is hashed for it. */
  setupTokenUsable(setupTokenHash: string, now: string): Promise<boolean>;
  /**
   * Adds a set-up link for the first account, beside any that other instances printed (each stays
   * usable until it expires or the first account is made), and forgets those past their expiry.
   * False, and nothing added, once there is staff.
   */
  addSetupToken(tokenHash: string, expiresAt: string, now: string): Promise<boolean>;
  create(staff: StaffRow): Promise<"created" | "email_taken">;
  findByEmail(email: string): Promise<StaffRow | undefined>;
  findById(id: string): Promise<StaffRow | undefined>;
  list(): Promise<StaffRow[]>;
  setDisabled(id: string, disabledAt: string | null): Promise<boolean>;

  createInvite(invite: InviteRow): Promise<void>;
  /** Uses the invite (if unused and unexpired) and creates the account, atomically. */
  acceptInvite(
    tokenHash: string,
    staff: Omit<StaffRow, "role">,
    now: string,
  ): Promise<"created" | "invite_invalid" | "email_taken">;
  /** Whether the invitation is unused and unexpired now; checked before a password is hashed for it. */
  inviteUsable(tokenHash: string, now: string): Promise<boolean>;

  createSession(session: SessionRow): Promise<void>;
  findSession(tokenHash: string): Promise<{ session: SessionRow; staff: StaffRow } | undefined>;
  touchSession(tokenHash: string, lastSeenAt: string): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteSessionsOf(staffId: string): Promise<number>;
}

export class KyselyStaffStore implements StaffStore {
  constructor(private readonly db: Kysely<Database>) {}

  async count() {
    const row = await this.db
      .selectFrom("staff")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async createFirst(staff: StaffRow, setupTokenHash: string, now: string) {
    return this.db.transaction().execute(async (tx) => {
      // Two set-up links used at once (each instance may have printed one) must not both find no
      // staff yet: the second waits here and then sees the first account.
      await lockDatabaseWide(tx);
      const token = await tx
        .deleteFrom("staff_setup_tokens")
        .where("token_hash", "=", setupTokenHash)
        .where("expires_at", ">", now)
        .executeTakeFirst();
      if (Number(token.numDeletedRows) !== 1) return "token_invalid" as const;
      const existing = await tx.selectFrom("staff").select("id").limit(1).executeTakeFirst();
      if (existing) return "token_invalid" as const;
      await tx.insertInto("staff").values(staffValues(staff)).execute();
      // The links other instances printed are of no more use than this one.
      await tx.deleteFrom("staff_setup_tokens").execute();
      return "created" as const;
    });
  }

  async setupTokenUsable(setupTokenHash: string, now: string) {
    const token = await this.db
      .selectFrom("staff_setup_tokens")
      .select("token_hash")
      .where("token_hash", "=", setupTokenHash)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return token !== undefined && (await this.count()) === 0;
  }

  async addSetupToken(tokenHash: string, expiresAt: string, now: string) {
    return this.db.transaction().execute(async (tx) => {
      // Under the lock createFirst takes, so a link is never added just after the first account.
      await lockDatabaseWide(tx);
      if (await tx.selectFrom("staff").select("id").limit(1).executeTakeFirst()) return false;
      await tx.deleteFrom("staff_setup_tokens").where("expires_at", "<=", now).execute();
      await tx.insertInto("staff_setup_tokens").values({ token_hash: tokenHash, expires_at: expiresAt }).execute();
      return true;
    });
  }

  async create(staff: StaffRow) {
    try {
      await this.db.insertInto("staff").values(staffValues(staff)).execute();
      return "created" as const;
    } catch (e) {
      if (isUniqueViolation(e)) return "email_taken" as const;
      throw e;
    }
  }

  async findByEmail(email: string) {
    const r = await this.db.selectFrom("staff").selectAll().where("email", "=", email).executeTakeFirst();
    return r && toStaff(r);
  }

  async findById(id: string) {
    const r = await this.db.selectFrom("staff").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toStaff(r);
  }

  async list() {
    return (await this.db.selectFrom("staff").selectAll().orderBy("name").execute()).map(toStaff);
  }

  async setDisabled(id: string, disabledAt: string | null) {
    const res = await this.db.updateTable("staff").set({ disabled_at: disabledAt }).where("id", "=", id).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
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
        // The check above misses an account another instance is creating at this moment; the
        // unique email then refuses the insert, which rolls the invitation back just the same.
        if (e instanceof EmailTaken || isUniqueViolation(e)) return "email_taken" as const;
        throw e;
      });
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

  async deleteSessionsOf(staffId: string) {
    const res = await this.db.deleteFrom("staff_sessions").where("staff_id", "=", staffId).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}

class EmailTaken extends Error {}

/** SQLite's and PostgreSQL's words for a unique constraint refusing a row. */
const isUniqueViolation = (e: unknown) => e instanceof Error && /UNIQUE constraint failed|duplicate key value/.test(e.message);

const toStaff = (r: Selectable<Database["staff"]>): StaffRow => ({
  id: r.id,
  name: r.name,
  email: r.email,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
  role: r.role as StaffRow["role"],
  disabledAt: r.disabled_at,
});

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
