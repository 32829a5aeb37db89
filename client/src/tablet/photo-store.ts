import { asRelayError } from "../api/relay-error";
import type { LetterboxDb, StoredPhoto } from "../db/db";
import type { Clock, Relay } from "./sync";

/** Photos fetched in one sync; the rest come with the next one, so a long catch-up never blocks replies. */
const PHOTOS_PER_SYNC = 20;
/** A photo fetched again because the resident is looking at it is not evicted straight away. */
const KEEP_WANTED_AGAIN_MS = 30 * 60_000;

export type PhotoOptions = { now?: Clock; budgetBytes: number; max?: number };

/**
 * Fetches the display images that messages name and the tablet does not have, oldest message
 * first, then keeps the total within the budget. A photo the relay no longer has is marked missing
 * (its message still shows, with the caption).
 */
export async function fetchPhotos(
  db: LetterboxDb,
  relay: Relay,
  { now = Date.now, budgetBytes, max = PHOTOS_PER_SYNC }: PhotoOptions,
) {
  const state = await db.state.get("tablet");
  if (!state || state.revoked) return 0;
  const wanted = (await db.photos.where("status").equals("wanted").sortBy("seq")).slice(0, max);
  let fetched = 0;
  for (const photo of wanted) {
    let blob: Blob;
    try {
      blob = await relay.fetchPhoto(state.deviceToken, photo.id);
    } catch (err) {
      const problem = asRelayError(err);
      if (problem.unauthenticated) throw problem;
      if (problem.transient) break;
      await db.photos.update(photo.id, { status: "missing" });
      continue;
    }
    await db.transaction("rw", db.photos, async () => {
      // The message may have been taken back while the photo was on its way.
      if ((await db.photos.get(photo.id))?.status !== "wanted") return;
      await db.photos.update(photo.id, { status: "stored", blob, size: blob.size, storedAt: now() });
      fetched++;
    });
  }
  if (fetched > 0) await enforcePhotoBudget(db, budgetBytes, now);
  return fetched;
}

/**
 * Drops photo images until the total fits the budget: the oldest photos of messages already seen
 * go first. Unseen messages keep theirs, and text is never dropped, so the tablet may go over the
 * budget rather than lose something the resident has not seen. Returns the ids dropped.
 */
export async function enforcePhotoBudget(db: LetterboxDb, budgetBytes: number, now: Clock = Date.now): Promise<string[]> {
  return db.transaction("rw", db.photos, db.messages, async () => {
    const stored = await db.photos.where("status").equals("stored").sortBy("seq");
    let total = stored.reduce((sum, p) => sum + p.size, 0);
    const dropped: string[] = [];
    for (const photo of stored) {
      if (total <= budgetBytes) break;
      if (photo.keepUntil !== undefined && photo.keepUntil > now()) continue;
      const users = await db.messages.where("photoIds").equals(photo.id).toArray();
      if (users.some((m) => m.unreadSeq !== undefined)) continue;
      await db.photos.update(photo.id, { status: "evicted", blob: undefined, size: 0 });
      total -= photo.size;
      dropped.push(photo.id);
    }
    return dropped;
  });
}

/** The resident opened a message whose photo was dropped to save space: fetch it again at the next sync. */
export async function wantPhotoAgain(db: LetterboxDb, photoId: string, now: Clock = Date.now): Promise<boolean> {
  return db.transaction("rw", db.photos, async () => {
    const photo: StoredPhoto | undefined = await db.photos.get(photoId);
    if (photo?.status !== "evicted") return false;
    await db.photos.update(photoId, { status: "wanted", keepUntil: now() + KEEP_WANTED_AGAIN_MS });
    return true;
  });
}

/** Bytes of photos kept, for the staff corner. */
export async function photoBytes(db: LetterboxDb): Promise<number> {
  const stored = await db.photos.where("status").equals("stored").toArray();
  return stored.reduce((sum, p) => sum + p.size, 0);
}
