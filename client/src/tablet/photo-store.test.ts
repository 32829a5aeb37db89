import "fake-indexeddb/auto";
import type { Photo } from "@letterbox/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LetterboxDb } from "../db/db";
import { enforcePhotoBudget, fetchPhotos, photoBytes, wantPhotoAgain } from "./photo-store";
import { markSeen } from "./receipts";
import { pullAll, syncNow } from "./sync";
import { pairedDb } from "./testing/db";
import { FakeRelay, message, photoIdFor } from "./testing/fake-relay";

let db: LetterboxDb;
let relay: FakeRelay;
const KB = 1024;
const photo = (n: number, caption = ""): Photo => ({ id: photoIdFor(n), width: 1600, height: 1200, caption });

/** Message n with one photo of `kb` KB on the relay. */
function messageWithPhoto(n: number, kb = 100) {
  relay.photos.set(photoIdFor(n), new Blob([new Uint8Array(kb * KB)], { type: "image/jpeg" }));
  relay.addMessage(message(n, { photos: [photo(n, `photo ${n}`)] }));
}

const status = async () => Object.fromEntries((await db.photos.orderBy("seq").toArray()).map((p) => [p.id.slice(-1), p.status]));

beforeEach(async () => {
  db = await pairedDb();
  relay = new FakeRelay();
  relay.pageSize = 50;
});

afterEach(async () => {
  db.close();
  await db.delete();
});

describe("photos", () => {
  it("are fetched after a pull and kept as Blobs", async () => {
    messageWithPhoto(1);
    relay.photos.set(photoIdFor(2), new Blob(["x"]));
    relay.addMessage(message(2, { photos: [photo(2), photo(1)] }));
    await syncNow(db, relay);
    const stored = await db.photos.get(photoIdFor(1));
    expect(stored).toMatchObject({ status: "stored", size: 100 * KB, seq: 2 });
    expect(stored?.blob).toBeInstanceOf(Blob);
    expect(relay.callsOf("fetchPhoto")).toHaveLength(2);
    expect(await photoBytes(db)).toBe(100 * KB + 1);
  });

  it("one the relay no longer has is marked missing; one that could not be reached is tried again", async () => {
    relay.addMessage(message(1, { photos: [photo(1)] }));
    messageWithPhoto(2);
    await pullAll(db, relay);
    relay.fail("fetchPhoto", 0, 1);
    await fetchPhotos(db, relay, { budgetBytes: 10 * 1024 * KB });
    expect(await status()).toEqual({ "1": "wanted", "2": "wanted" });
    await fetchPhotos(db, relay, { budgetBytes: 10 * 1024 * KB });
    expect(await status()).toEqual({ "1": "missing", "2": "stored" });
  });

  it("stay within the budget: the oldest photos of seen messages go first, unseen ones and all text stay", async () => {
    for (let n = 1; n <= 5; n++) messageWithPhoto(n, 100);
    await syncNow(db, relay, { photoBudgetBytes: 1024 * KB });
    for (const n of [2, 3, 5]) await markSeen(db, message(n).id);

    expect(await enforcePhotoBudget(db, 300 * KB)).toEqual([photoIdFor(2), photoIdFor(3)]);
    expect(await status()).toEqual({ "1": "stored", "2": "evicted", "3": "evicted", "4": "stored", "5": "stored" });
    expect(await db.photos.get(photoIdFor(2))).not.toHaveProperty("blob");
    expect(await photoBytes(db)).toBe(300 * KB);
    expect(await db.messages.count()).toBe(5);
  });

  it("a dropped photo the resident opens again is fetched again and kept for a while", async () => {
    messageWithPhoto(1, 100);
    messageWithPhoto(2, 100);
    await syncNow(db, relay);
    await markSeen(db, message(1).id);
    await markSeen(db, message(2).id);
    await enforcePhotoBudget(db, 100 * KB);
    expect(await status()).toEqual({ "1": "evicted", "2": "stored" });

    expect(await wantPhotoAgain(db, photoIdFor(1))).toBe(true);
    await fetchPhotos(db, relay, { budgetBytes: 100 * KB });
    expect(await status()).toEqual({ "1": "stored", "2": "evicted" });
  });
});
