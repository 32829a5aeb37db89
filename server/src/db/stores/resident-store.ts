import type { Language, QuietHours, TEXT_SIZES } from "@letterbox/shared";
import type { Kysely, Selectable } from "kysely";
import type { PullHeads } from "../pull-heads";
import type { Database } from "../schema";

type TextSize = (typeof TEXT_SIZES)[number];

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
/** Counts and times per resident for the dashboard; never content. */
export type ResidentFacts = {
  residentId: string;
  unseenCount: number;
  oldestUnseenAt: string | null;
  lastSeenMessageAt: string | null;
  lastFamilyMessageAt: string | null;
};

/** The residents and their settings, and the council's own settings. */
export interface ResidentStore {
  create(resident: ResidentRow): Promise<void>;
  update(id: string, patch: ResidentPatch): Promise<ResidentRow | undefined>;
  list(): Promise<ResidentRow[]>;
  find(id: string): Promise<ResidentRow | undefined>;
  /** Removes the resident and everything held about them; returns the photos that were theirs. */
  erase(id: string): Promise<{ photoIds: string[] } | undefined>;
  /** What the dashboard weighs, for every resident with messages, or only for one resident. */
  facts(residentId?: string): Promise<ResidentFacts[]>;

  getOrgSettings(): Promise<Record<string, unknown>>;
  setOrgSettings(values: Record<string, unknown>): Promise<void>;
}

export class KyselyResidentStore implements ResidentStore {
  /** `heads` forgets a resident after each committed write here, before any caller hears of it. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly heads?: Pick<PullHeads, "changed">,
  ) {}

  async create(r: ResidentRow) {
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

  async update(id: string, patch: ResidentPatch) {
    const columns = residentColumns(patch);
    if (Object.keys(columns).length > 0) {
      await this.db.updateTable("residents").set(columns).where("id", "=", id).execute();
      this.heads?.changed(id);
    }
    return this.find(id);
  }

  async list() {
    const rows = await this.db.selectFrom("residents").selectAll().orderBy("full_name").execute();
    return rows.map(toResident);
  }

  async find(id: string) {
    const r = await this.db.selectFrom("residents").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toResident(r);
  }

  async erase(id: string) {
    try {
      return await this.eraseIn(id);
    } finally {
      this.heads?.changed(id);
    }
  }

  private eraseIn(id: string) {
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

  async facts(residentId?: string): Promise<ResidentFacts[]> {
    let query = this.db
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
      .groupBy("resident_id");
    if (residentId) query = query.where("resident_id", "=", residentId);
    const rows = await query.execute();
    return rows.map((r) => ({
      residentId: r.resident_id,
      unseenCount: Number(r.unseen),
      oldestUnseenAt: r.oldest_unseen ?? null,
      lastSeenMessageAt: r.last_seen ?? null,
      lastFamilyMessageAt: r.last_sent ?? null,
    }));
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
}

export const toResident = (r: Selectable<Database["residents"]>): ResidentRow => ({
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
