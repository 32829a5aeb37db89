/**
 * What is particular to photos in a bucket. The calls every BlobStore answers alike (round trips,
 * missing keys, overwrites, refused keys) run against this store too, in photo-store.test.ts.
 */
import { createServer } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { S3BlobStore } from "./s3-blob-store";
import { s3ServerForFile } from "./s3-test-hooks";
import { S3_TEST_CREDENTIALS } from "./s3-test-server";

const KEY = "abcdef0123456789";

type SentRequest = { method: string; headers: Record<string, string> };

const s3 = s3ServerForFile();

/** A store on the test server, and the HTTP requests it sends as they leave (signed, headers final). */
function storeFor(bucket: string, prefix = "") {
  const blobs = new S3BlobStore(s3.settings(bucket, prefix), S3_TEST_CREDENTIALS);
  const sent: SentRequest[] = [];
  blobs.client.middlewareStack.add(
    (next) => (args) => {
      sent.push(args.request as SentRequest);
      return next(args);
    },
    { step: "deserialize", priority: "low" },
  );
  onTestFinished(() => blobs.client.destroy());
  return { blobs, sent };
}

/** A 127.0.0.1 port that was free a moment ago and that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("S3BlobStore", () => {
  it("names each object by its key under the prefix, so relays sharing a bucket never see each other's photos", async () => {
    const bucket = await s3.createBucket();
    const north = storeFor(bucket, "north-council/photos").blobs;
    const south = storeFor(bucket, "south-council").blobs;
    const bare = storeFor(bucket).blobs;
    await north.put(KEY, Buffer.from("north"));
    await north.put(`${KEY}.thumb.jpg`, Buffer.from("north thumb"));
    await south.put(KEY, Buffer.from("south"));
    expect(await s3.keys(bucket)).toEqual([
      `north-council/photos/${KEY}`,
      `north-council/photos/${KEY}.thumb.jpg`,
      `south-council/${KEY}`,
    ]);

    expect((await north.get(KEY))?.toString()).toBe("north");
    expect((await south.get(KEY))?.toString()).toBe("south");
    expect(await south.has(`${KEY}.thumb.jpg`)).toBe(false);
    expect(await bare.has(KEY)).toBe(false);
    expect(await bare.get(KEY)).toBeUndefined();

    await south.delete(KEY);
    expect((await north.get(KEY))?.toString()).toBe("north");
    expect(await s3.keys(bucket)).toEqual([`north-council/photos/${KEY}`, `north-council/photos/${KEY}.thumb.jpg`]);
  });

  it("sends no ACL, so objects stay as private as the bucket, and no checksums that other servers refuse", async () => {
    const { blobs, sent } = storeFor(await s3.createBucket());
    await blobs.put(KEY, Buffer.from("photo"));
    await blobs.get(KEY);
    expect(sent.map((r) => r.method)).toEqual(["PUT", "GET"]);
    for (const request of sent) {
      const names = Object.keys(request.headers).map((h) => h.toLowerCase());
      expect(names.filter((h) => h === "x-amz-acl" || h.startsWith("x-amz-grant-"))).toEqual([]);
      expect(names.filter((h) => h.startsWith("x-amz-checksum-") || h === "x-amz-sdk-checksum-algorithm")).toEqual([]);
      expect(names).not.toContain("x-amz-checksum-mode");
    }
  });

  it("refuses a key that is not one before sending any request", async () => {
    const { blobs, sent } = storeFor(await s3.createBucket());
    for (const key of ["../etc/passwd", "ab/cdef", "ABCDEF", ""]) {
      await expect(blobs.put(key, Buffer.from("x"))).rejects.toThrow(/^Not a blob key/);
      await expect(blobs.get(key)).rejects.toThrow(/^Not a blob key/);
      await expect(blobs.has(key)).rejects.toThrow(/^Not a blob key/);
      await expect(blobs.delete(key)).rejects.toThrow(/^Not a blob key/);
    }
    expect(sent).toEqual([]);
  });

  it("lets a missing bucket fail the call instead of reading as a missing photo", async () => {
    const { blobs } = storeFor("no-such-bucket");
    await expect(blobs.get(KEY)).rejects.toMatchObject({ name: "NoSuchBucket" });
    await expect(blobs.put(KEY, Buffer.from("x"))).rejects.toMatchObject({ name: "NoSuchBucket" });
    await expect(blobs.delete(KEY)).rejects.toMatchObject({ name: "NoSuchBucket" });
  });

  it("lets an object store that does not answer fail the call", async () => {
    const blobs = new S3BlobStore(
      { ...s3.settings("photos"), endpoint: `http://127.0.0.1:${await closedPort()}` },
      S3_TEST_CREDENTIALS,
    );
    onTestFinished(() => blobs.client.destroy());
    await expect(blobs.get(KEY)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await expect(blobs.has(KEY)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  describe("checkReachable", () => {
    it("passes for a bucket that is there", async () => {
      await expect(storeFor(await s3.createBucket()).blobs.checkReachable()).resolves.toBeUndefined();
    });

    it("says in a sentence that there is no such bucket, and where it looked", async () => {
      await expect(storeFor("no-such-bucket").blobs.checkReachable()).rejects.toThrow(
        `There is no bucket called “no-such-bucket” at ${s3.endpoint}: create it, or correct S3_BUCKET.`,
      );
    });

    it("says in a sentence that nothing answered at the endpoint", async () => {
      const endpoint = `http://127.0.0.1:${await closedPort()}`;
      const blobs = new S3BlobStore({ ...s3.settings("photos"), endpoint }, S3_TEST_CREDENTIALS);
      onTestFinished(() => blobs.client.destroy());
      await expect(blobs.checkReachable()).rejects.toThrow(
        `Nothing answered at ${endpoint} (ECONNREFUSED): check S3_ENDPOINT and that the object store is running.`,
      );
    });
  });
});
