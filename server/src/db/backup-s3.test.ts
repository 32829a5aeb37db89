/**
 * Backup folders of a relay whose photos are in an S3 bucket (records in the SQLite file): the
 * photos are read from the bucket into the folder, and a restore puts them in the bucket it is
 * given, against a real S3 protocol server on loopback.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { loadConfig } from "../config";
import { blobStoreFor } from "../images/photo-storage";
import { PhotoStore } from "../images/photo-store";
import { S3BlobStore } from "../images/s3-blob-store";
import { awsCredentialsInEnvironment, s3ServerForFile } from "../images/s3-test-hooks";
import { firstStaff, photoFilesOnDisk, sendWithPhotos, startRelay, sync, testJpeg, uploadPhoto } from "../test-support";
import { backupToFolder, restoreFromFolder } from "./backup";

const s3 = s3ServerForFile();

async function bucketStore() {
  awsCredentialsInEnvironment();
  const bucket = await s3.createBucket();
  const blobs = await blobStoreFor(loadConfig({ S3_BUCKET: bucket, S3_ENDPOINT: s3.endpoint, S3_FORCE_PATH_STYLE: "true" }));
  expect(blobs).toBeInstanceOf(S3BlobStore);
  onTestFinished(() => (blobs as S3BlobStore).client.destroy());
  return { bucket, blobs };
}

describe("a backup folder of a relay with its photos in S3", () => {
  it("takes the photos from the bucket and restores them into another", async () => {
    const from = await bucketStore();
    const relay = await startRelay({ blobs: from.blobs });
    const staff = await firstStaff(relay);
    const { familyToken, deviceToken } = await staff.household("Margaret");
    const photoId = await uploadPhoto(relay, familyToken, await testJpeg(5));
    await sendWithPhotos(relay, familyToken, "From the beach", [{ id: photoId }]);
    expect(photoFilesOnDisk(relay)).toEqual([]);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-backups-"));
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    const target = path.join(dir, "nightly");
    const manifest = await backupToFolder({ dataDir: relay.dataDir, target, photos: relay.deps.photos });
    const files = Object.keys(manifest.files).filter((f) => f.startsWith("photos/"));
    expect(files).toEqual([`photos/${photoId.slice(0, 2)}/${photoId}.jpg`, `photos/${photoId.slice(0, 2)}/${photoId}.thumb.jpg`]);
    await relay.db.destroy();

    const to = await bucketStore();
    const dataDir = path.join(dir, "restored");
    await restoreFromFolder({ dataDir, source: target, photos: new PhotoStore(to.blobs) });
    expect(await s3.keys(to.bucket)).toEqual([`${photoId}.jpg`, `${photoId}.thumb.jpg`]);
    const after = await startRelay({ dataDir, blobs: to.blobs });
    expect((await sync(after, deviceToken)).entries.length).toBeGreaterThan(0);
    const res = await after.request(`/api/tablet/photos/${photoId}`, { bearer: deviceToken });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(await s3.object(from.bucket, `${photoId}.jpg`))).toBe(true);
  });
});
