import type { Kysely, Selectable } from "kysely";
import type { Database } from "../schema";

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

/** The private links family members write from; only a hash of each link's token is kept. */
export interface FamilyLinkStore {
  create(link: FamilyLinkRow, tokenHash: string): Promise<void>;
  list(residentId: string): Promise<FamilyLinkRow[]>;
  findByTokenHash(tokenHash: string): Promise<FamilyLinkRow | undefined>;
  revoke(id: string, residentId: string, at: string): Promise<boolean>;
  touch(id: string, at: string): Promise<void>;
  setDisplayName(id: string, displayName: string | null): Promise<void>;
  /** Staff change the name or relationship; undefined when the resident has no such link. */
  update(id: string, residentId: string, patch: FamilyLinkPatch): Promise<FamilyLinkRow | undefined>;
  /** Gives the link a new token (the old one dies) and makes it active again; history stays with it. */
  replaceToken(id: string, residentId: string, tokenHash: string): Promise<FamilyLinkRow | undefined>;
}

export class KyselyFamilyLinkStore implements FamilyLinkStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(l: FamilyLinkRow, tokenHash: string) {
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

  async list(residentId: string) {
    const rows = await this.db
      .selectFrom("family_links")
      .selectAll()
      .where("resident_id", "=", residentId)
      // Links made in the same millisecond come in one order on both engines (SQLite would give
      // its row order, PostgreSQL any).
      .orderBy("created_at")
      .orderBy("label")
      .orderBy("id")
      .execute();
    return rows.map(toFamilyLink);
  }

  async findByTokenHash(tokenHash: string) {
    const r = await this.db.selectFrom("family_links").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
    return r && toFamilyLink(r);
  }

  async revoke(id: string, residentId: string, at: string) {
    const res = await this.db
      .updateTable("family_links")
      .set({ revoked_at: at })
      .where("id", "=", id)
      .where("resident_id", "=", residentId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async touch(id: string, at: string) {
    await this.db.updateTable("family_links").set({ last_used_at: at }).where("id", "=", id).execute();
  }

  async setDisplayName(id: string, displayName: string | null) {
    await this.db.updateTable("family_links").set({ display_name: displayName }).where("id", "=", id).execute();
  }

  async update(id: string, residentId: string, patch: FamilyLinkPatch) {
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

  async replaceToken(id: string, residentId: string, tokenHash: string) {
    const r = await this.db
      .updateTable("family_links")
      .set({ token_hash: tokenHash, revoked_at: null })
      .where("id", "=", id)
      .where("resident_id", "=", residentId)
      .returningAll()
      .executeTakeFirst();
    return r && toFamilyLink(r);
  }
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
