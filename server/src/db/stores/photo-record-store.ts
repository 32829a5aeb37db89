import type { ExpressionBuilder, Kysely, Selectable } from "kysely";
import type { Database } from "../schema";

export type PhotoUploadRow = {
  photoId: string;
  familyLinkId: string;
  residentId: string;
  width: number;
  height: number;
  uploadedAt: string;
};

/**
 * What the relay knows about photos (their bytes live in a BlobStore): who uploaded each, the
 * daily allowance, and which messages carry them, so a photo is shown only to those it was sent to
 * and removed once nothing refers to it.
 */
export interface PhotoRecordStore {
  /** Records the upload and counts it against the link's daily allowance. */
  recordUpload(upload: PhotoUploadRow): Promise<void>;
  /** Uploads since `since`, whatever became of them since (sent, deleted, expired). */
  countUploadsSince(familyLinkId: string, since: string): Promise<number>;
  /** The resident's uploads that their uploader has not sent (no live message of that link carries the photo). */
  unsentUploads(residentId: string): Promise<PhotoUploadRow[]>;
  /**
   * Removes unsent uploads made before `before`, and the allowance's count of uploads before it;
   * returns the photos whose uploads went, for the caller to remove those nothing refers to any more.
   */
  expireUnsentUploads(before: string): Promise<string[]>;
  /** The photo as this family link uploaded it, if it did. */
  findUpload(photoId: string, familyLinkId: string): Promise<PhotoUploadRow | undefined>;
  /** Whether the photo is in a live message of this resident. */
  isInConversation(photoId: string, residentId: string): Promise<boolean>;
  /** The family links whose live messages to this resident carry the photo. */
  senders(photoId: string, residentId: string): Promise<string[]>;
  /** Whether a live message or an upload still refers to the photo; when nothing does, its files can be removed. */
  isReferenced(photoId: string): Promise<boolean>;
}

export class KyselyPhotoRecordStore implements PhotoRecordStore {
  constructor(private readonly db: Kysely<Database>) {}

  async recordUpload(u: PhotoUploadRow) {
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

  async countUploadsSince(familyLinkId: string, since: string) {
    const row = await this.db
      .selectFrom("photo_upload_quota")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("family_link_id", "=", familyLinkId)
      .where("uploaded_at", ">", since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async unsentUploads(residentId: string) {
    const rows = await this.db
      .selectFrom("photo_uploads as u")
      .selectAll()
      .where("u.resident_id", "=", residentId)
      .where((eb) => eb.not(sentByUploader(eb)))
      .orderBy("u.uploaded_at")
      .execute();
    return rows.map(toPhotoUpload);
  }

  async expireUnsentUploads(before: string) {
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

  async findUpload(photoId: string, familyLinkId: string) {
    const r = await this.db
      .selectFrom("photo_uploads")
      .selectAll()
      .where("photo_id", "=", photoId)
      .where("family_link_id", "=", familyLinkId)
      .executeTakeFirst();
    return r && toPhotoUpload(r);
  }

  async isInConversation(photoId: string, residentId: string) {
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

  async senders(photoId: string, residentId: string) {
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

  async isReferenced(photoId: string) {
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

const toPhotoUpload = (r: Selectable<Database["photo_uploads"]>): PhotoUploadRow => ({
  photoId: r.photo_id,
  familyLinkId: r.family_link_id,
  residentId: r.resident_id,
  width: r.width,
  height: r.height,
  uploadedAt: r.uploaded_at,
});
