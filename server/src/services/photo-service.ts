import { LIMITS, type UploadedPhoto } from "@letterbox/shared";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { PhotoStore } from "../images/photo-store";
import { processPhoto } from "../images/process-photo";
import type { Logger } from "../log";
import type { FamilyLinkRow, Store } from "../store";
import { familySees } from "./conversation-service";

type Deps = { store: Store; clock: Clock; log: Logger; photos: PhotoStore };

const NOT_FOUND = "That photo is not here any more.";

/**
 * Photos from family: every upload is decoded and re-encoded (no metadata survives), stored by
 * content, and handed out only to the resident's tablet and the family who may see it.
 */
export class PhotoService {
  constructor(private readonly deps: Deps) {}

  async upload(link: FamilyLinkRow, bytes: Uint8Array): Promise<UploadedPhoto> {
    const now = this.deps.clock.now();
    const since = new Date(now.getTime() - 86_400_000).toISOString();
    if ((await this.deps.store.countPhotoUploadsSince(link.id, since)) >= LIMITS.photosPerSenderPerDay) {
      throw new AppError(
        "quota_exceeded",
        `You have sent ${LIMITS.photosPerSenderPerDay} photos today, the most for one day. Please send more tomorrow.`,
      );
    }
    const saved = await this.deps.photos.save(await processPhoto(bytes));
    await this.deps.store.recordPhotoUpload({
      photoId: saved.id,
      familyLinkId: link.id,
      residentId: link.residentId,
      width: saved.width,
      height: saved.height,
      uploadedAt: now.toISOString(),
    });
    this.deps.log("photo.uploaded", { residentId: link.residentId, bytes: bytes.byteLength });
    return saved;
  }

  /** The display image, for the resident's tablet: only photos of the resident's live messages. */
  async forTablet(residentId: string, photoId: string): Promise<Buffer> {
    if (!(await this.deps.store.isPhotoInConversation(photoId, residentId))) throw new AppError("photo_not_found", NOT_FOUND);
    return this.require(await this.deps.photos.display(photoId));
  }

  /**
   * The thumbnail, for a family member: their own uploads (sent or not), and the photos of the live
   * messages the conversation shows them. Anything else is "not here", never "not yours", so that an
   * id cannot be confirmed.
   */
  async thumbForFamily(link: FamilyLinkRow, photoId: string): Promise<Buffer> {
    if (!(await this.familyMaySee(link, photoId))) throw new AppError("photo_not_found", NOT_FOUND);
    return this.require(await this.deps.photos.thumb(photoId));
  }

  private async familyMaySee(link: FamilyLinkRow, photoId: string): Promise<boolean> {
    if (await this.deps.store.findPhotoUpload(photoId, link.id)) return true;
    const senders = await this.deps.store.photoSenders(photoId, link.residentId);
    if (senders.length === 0) return false;
    const resident = await this.deps.store.findResident(link.residentId);
    return resident !== undefined && senders.some((sender) => familySees(resident, link, sender));
  }

  /** After a deletion: removes the files of photos that nothing refers to any more. */
  async forgetUnused(photoIds: string[]): Promise<void> {
    for (const id of photoIds) {
      if (!(await this.deps.store.isPhotoReferenced(id))) await this.deps.photos.remove(id);
    }
  }

  private require(bytes: Buffer | undefined): Buffer {
    if (!bytes) throw new AppError("photo_not_found", NOT_FOUND);
    return bytes;
  }
}
