/**
 * A relay configured to keep photos in an S3 bucket (S3_BUCKET and friends, credentials from the
 * standard AWS variables), against a real S3 protocol server on loopback: photos reach the tablet
 * from the bucket, and erasure, retention and the subject access export go through it too.
 */
import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it, onTestFinished } from "vitest";
import { loadConfig } from "../config";
import { blobStoreFor } from "../images/photo-storage";
import { S3BlobStore } from "../images/s3-blob-store";
import { awsCredentialsInEnvironment, s3ServerForFile } from "../images/s3-test-hooks";
import { startS3Server } from "../images/s3-test-server";
import { type Engine, engines } from "../test-databases";
import { expectError, firstStaff, photoFilesOnDisk, sendWithPhotos, startRelay, testJpeg, uploadPhoto } from "../test-support";

const PREFIX = "north-council";
const DAY = 24 * 60;

const s3 = s3ServerForFile();

/** A relay with its photos in a fresh bucket, configured as an operator would. */
async function relayWithS3(engine: Engine, server = s3) {
  awsCredentialsInEnvironment();
  const bucket = await server.createBucket();
  const config = loadConfig({ S3_BUCKET: bucket, S3_ENDPOINT: server.endpoint, S3_FORCE_PATH_STYLE: "true", S3_PREFIX: PREFIX });
  const blobs = await blobStoreFor(config);
  expect(blobs).toBeInstanceOf(S3BlobStore);
  const relay = await startRelay({ engine, blobs });
  const staff = await firstStaff(relay);
  onTestFinished(() => (blobs as S3BlobStore).client.destroy());
  // Every object is under the prefix; listed without it.
  const objects = async () =>
    (await server.keys(bucket)).map((key) => (key.startsWith(`${PREFIX}/`) ? key.slice(PREFIX.length + 1) : key));
  return { relay, staff, bucket, objects, object: (key: string) => server.object(bucket, `${PREFIX}/${key}`) };
}

const photoKeys = (...ids: string[]) => ids.flatMap((id) => [`${id}.jpg`, `${id}.thumb.jpg`]).sort();

describe.each(engines)("a relay with photos in S3, records on $name", (engine) => {
  it("keeps a family's photo in the bucket, not the data folder, and serves it to the tablet and the family", async () => {
    const { relay, staff, objects, object } = await relayWithS3(engine);
    const { familyToken, deviceToken } = await staff.household("Margaret");
    const photoId = await uploadPhoto(relay, familyToken, await testJpeg(1));
    await sendWithPhotos(relay, familyToken, "From the beach", [{ id: photoId }]);

    expect(await objects()).toEqual(photoKeys(photoId));
    expect(photoFilesOnDisk(relay)).toEqual([]);

    const display = await relay.request(`/api/tablet/photos/${photoId}`, { bearer: deviceToken });
    expect(display.status).toBe(200);
    expect(Buffer.from(await display.arrayBuffer()).equals(await object(`${photoId}.jpg`))).toBe(true);
    const thumb = await relay.request(`/api/family/photos/${photoId}/thumb`, { bearer: familyToken });
    expect(thumb.status).toBe(200);
    expect(Buffer.from(await thumb.arrayBuffer()).equals(await object(`${photoId}.thumb.jpg`))).toBe(true);
  });

  it("puts the bucket's photos in the subject access export", async () => {
    const { relay, staff, object } = await relayWithS3(engine);
    const { resident, familyToken } = await staff.household("Margaret");
    const sent = await uploadPhoto(relay, familyToken, await testJpeg(2));
    await sendWithPhotos(relay, familyToken, "Sent", [{ id: sent }]);
    const unsent = await uploadPhoto(relay, familyToken, await testJpeg(3));

    const files = unzipSync(new Uint8Array(await (await staff.request(`/residents/${resident.id}/export`)).arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(["letterbox-export.json", `photos/${sent}.jpg`, `photos/${unsent}.jpg`].sort());
    for (const id of [sent, unsent]) {
      expect(Buffer.from(files[`photos/${id}.jpg`] as Uint8Array).equals(await object(`${id}.jpg`))).toBe(true);
    }
    expect(strFromU8(files["letterbox-export.json"] as Uint8Array)).toContain(`photos/${sent}.jpg`);
  });

  it("removes a resident's photos from the bucket when the resident is erased, and keeps one another resident has", async () => {
    const { relay, staff, objects } = await relayWithS3(engine);
    const margaret = await staff.household("Margaret");
    const arthur = await staff.household("Arthur");
    const hers = await uploadPhoto(relay, margaret.familyToken, await testJpeg(4));
    await sendWithPhotos(relay, margaret.familyToken, "Only for her", [{ id: hers }]);
    const unsent = await uploadPhoto(relay, margaret.familyToken, await testJpeg(5));
    const shared = await uploadPhoto(relay, margaret.familyToken, await testJpeg(6));
    await sendWithPhotos(relay, margaret.familyToken, "For both", [{ id: shared }]);
    expect(await uploadPhoto(relay, arthur.familyToken, await testJpeg(6))).toBe(shared);
    await sendWithPhotos(relay, arthur.familyToken, "For Arthur too", [{ id: shared }]);
    expect(await objects()).toEqual(photoKeys(hers, unsent, shared));

    const erased = await staff.request(`/residents/${margaret.resident.id}`, { method: "DELETE" });
    expect(erased.status).toBe(200);

    expect(await objects()).toEqual(photoKeys(shared));
    expect((await relay.request(`/api/tablet/photos/${shared}`, { bearer: arthur.deviceToken })).status).toBe(200);
  });

  it("removes the objects of messages past retention and of photos never sent", async () => {
    const { relay, staff, objects } = await relayWithS3(engine);
    const { resident, familyToken } = await staff.household("Margaret");
    await staff.request(`/residents/${resident.id}`, { method: "PATCH", json: { retentionDays: 30 } });
    const old = await uploadPhoto(relay, familyToken, await testJpeg(7));
    await sendWithPhotos(relay, familyToken, "Old news", [{ id: old }]);
    const abandoned = await uploadPhoto(relay, familyToken, await testJpeg(8));
    relay.clock.advanceMinutes(20 * DAY);
    const newer = await uploadPhoto(relay, familyToken, await testJpeg(9));
    await sendWithPhotos(relay, familyToken, "Newer news", [{ id: newer }]);
    expect(await objects()).toEqual(photoKeys(old, abandoned, newer));

    relay.clock.advanceMinutes(11 * DAY);
    expect(await relay.services.dataProtection.applyRetention()).toEqual({ messages: 1, unsentPhotos: 1 });

    expect(await objects()).toEqual(photoKeys(newer));
  });

  it("answers with a server error, and keeps running, when the object store stops answering", async () => {
    const own = await startS3Server();
    let running = true;
    onTestFinished(() => (running ? own.close() : undefined));
    const { relay, staff } = await relayWithS3(engine, own);
    const { familyToken, deviceToken } = await staff.household("Margaret");
    const photoId = await uploadPhoto(relay, familyToken, await testJpeg(10));
    await sendWithPhotos(relay, familyToken, "Before the outage", [{ id: photoId }]);

    await own.close();
    running = false;
    await expectError(await relay.request(`/api/tablet/photos/${photoId}`, { bearer: deviceToken }), 500, "internal");
    await expectError(
      await relay.request("/api/family/photos", {
        bearer: familyToken,
        body: (await testJpeg(11)) as unknown as string,
        headers: { "Content-Type": "image/jpeg" },
      }),
      500,
      "internal",
    );
    expect((await relay.request("/healthz")).status).toBe(200);
  });
});
