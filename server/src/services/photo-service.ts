import { LIMITS, type UploadedPhoto } from "@letterbox/shared";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { RelayMetrics } from "../http/metrics";
import { PHOTO_BUSY_RETRY_SECONDS, PhotoQueue, type QueuePlace } from "../images/photo-queue";
import type { PhotoStore } from "../images/photo-store";
import { processPhoto } from "../images/process-photo";
import type { Logger } from "../log";
import type { FamilyLinkRow, Store } from "../store";
import { familySees } from "./conversation-service";

type Deps = {
  store: Store;
  clock: Clock;
  log: Logger;
  photos: PhotoStore;
  photoQueue?: PhotoQueue;
  metrics?: Pick<RelayMetrics, "timePhotoProcessing">;
};

const NOT_FOUND = "That photo is not here any more.";

/**
 * Uploads the relay refused (not a photo, too many pixels, cut short, too large) that one link may
 * make in an hour. Each cost the relay a read and often a decode; a family page that shrinks photos
 * on the phone sends none, so ten is generous, and a link holder cannot burn the relay's CPU for free.
 */
export const REFUSED_UPLOADS = { max: 10, windowMinutes: 60 } as const;
/** Uploads one link may have in the queue at once, so that one link cannot take every place. */
export const PHOTO_UPLOADS_PER_LINK_AT_ONCE = 2;

/**
 * Photos from family: every upload is decoded and re-encoded (no metadata survives), stored by
 * content, and handed out only to the resident's tablet and the family who may see it.
 */
export class PhotoService {
  readonly queue: PhotoQueue;
  private readonly refusals: RefusedUploads;
  private readonly inQueue = new Map<string, number>();

  constructor(private readonly deps: Deps) {
    this.queue = deps.photoQueue ?? new PhotoQueue();
    this.refusals = new RefusedUploads(deps.clock);
  }

  /**
   * Everything that costs nothing is checked before the body is read: the link's refused uploads,
   * its daily allowance, and a place in the queue. `readBody` is called only then.
   */
  async upload(link: FamilyLinkRow, readBody: () => Promise<Uint8Array>): Promise<UploadedPhoto> {
    // Until it is accepted, an upload counts as refused: ten bad uploads sent at once are ten, not none.
    const attempt = this.refusals.reserve(link.id);
    let place: QueuePlace | undefined;
    try {
      const now = this.deps.clock.now();
      const since = new Date(now.getTime() - 86_400_000).toISOString();
      if ((await this.deps.store.photoRecords.countUploadsSince(link.id, since)) >= LIMITS.photosPerSenderPerDay) {
        throw new AppError(
          "quota_exceeded",
          `You have sent ${LIMITS.photosPerSenderPerDay} photos today, the most for one day. Please send more tomorrow.`,
        );
      }
      place = this.enterQueue(link.id);
      const bytes = await readBody();
      const { metrics } = this.deps;
      const processed = await place.decode(() =>
        metrics ? metrics.timePhotoProcessing(() => processPhoto(bytes)) : processPhoto(bytes),
      );
      const saved = await this.deps.photos.save(processed);
      await this.deps.store.photoRecords.recordUpload({
        photoId: saved.id,
        familyLinkId: link.id,
        residentId: link.residentId,
        width: saved.width,
        height: saved.height,
        uploadedAt: now.toISOString(),
      });
      attempt.accepted();
      this.deps.log("photo.uploaded", { residentId: link.residentId, bytes: bytes.byteLength });
      return saved;
    } catch (err) {
      // What the photo itself was refused for counts; being told to wait (allowance, queue) does not.
      if (err instanceof AppError && err.code.startsWith("photo_")) attempt.refused();
      else attempt.accepted();
      throw err;
    } finally {
      place?.leave();
    }
  }

  private enterQueue(linkId: string): QueuePlace {
    const held = this.inQueue.get(linkId) ?? 0;
    if (held >= PHOTO_UPLOADS_PER_LINK_AT_ONCE) {
      throw new AppError(
        "busy",
        "Your other photos are still being sent. This one will follow in a moment; there is nothing you need to do.",
        PHOTO_BUSY_RETRY_SECONDS,
      );
    }
    const place = this.queue.enter();
    this.inQueue.set(linkId, held + 1);
    return {
      decode: place.decode,
      leave: () => {
        place.leave();
        const left = (this.inQueue.get(linkId) ?? 1) - 1;
        if (left === 0) this.inQueue.delete(linkId);
        else this.inQueue.set(linkId, left);
      },
    };
  }

  /** The display image, for the resident's tablet: only photos of the resident's live messages. */
  async forTablet(residentId: string, photoId: string): Promise<Buffer> {
    if (!(await this.deps.store.photoRecords.isInConversation(photoId, residentId)))
      throw new AppError("photo_not_found", NOT_FOUND);
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
    if (await this.deps.store.photoRecords.findUpload(photoId, link.id)) return true;
    const senders = await this.deps.store.photoRecords.senders(photoId, link.residentId);
    if (senders.length === 0) return false;
    const resident = await this.deps.store.residents.find(link.residentId);
    return resident !== undefined && senders.some((sender) => familySees(resident, link, sender));
  }

  /** After a deletion: removes the files of photos that nothing refers to any more. */
  async forgetUnused(photoIds: string[]): Promise<void> {
    for (const id of photoIds) {
      if (!(await this.deps.store.photoRecords.isReferenced(id))) await this.deps.photos.remove(id);
    }
  }

  private require(bytes: Buffer | undefined): Buffer {
    if (!bytes) throw new AppError("photo_not_found", NOT_FOUND);
    return bytes;
  }
}

/**
 * Refused uploads per link in a sliding window, in memory (a restart forgets them, which costs a
 * link holder a restart per ten refusals). An upload in progress holds a reservation, so uploads
 * sent at once cannot all slip past the count before the first is refused.
 */
class RefusedUploads {
  private readonly byLink = new Map<string, { refusedAt: number[]; pending: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly max: number = REFUSED_UPLOADS.max,
    private readonly windowMs: number = REFUSED_UPLOADS.windowMinutes * 60_000,
  ) {}

  reserve(linkId: string): { refused(): void; accepted(): void } {
    const now = this.clock.now().getTime();
    const entry = this.byLink.get(linkId) ?? { refusedAt: [], pending: 0 };
    entry.refusedAt = entry.refusedAt.filter((t) => now - t < this.windowMs);
    if (entry.refusedAt.length + entry.pending >= this.max) {
      const oldest = entry.refusedAt[0];
      const waitMs = oldest === undefined ? 60_000 : oldest + this.windowMs - now;
      const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
      this.byLink.set(linkId, entry);
      throw new AppError(
        "too_many_attempts",
        `Too many of the photos sent from this link could not be used. Please wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again with a different photo.`,
        waitMs / 1000,
      );
    }
    entry.pending++;
    this.byLink.set(linkId, entry);
    let settled = false;
    const settle = (refused: boolean) => {
      if (settled) return;
      settled = true;
      entry.pending--;
      if (refused) entry.refusedAt.push(this.clock.now().getTime());
      if (entry.pending === 0 && entry.refusedAt.length === 0) this.byLink.delete(linkId);
    };
    return { refused: () => settle(true), accepted: () => settle(false) };
  }
}
