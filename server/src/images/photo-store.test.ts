import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { photoIdSchema } from "@letterbox/shared";
import sharp from "sharp";
import { describe, expect, it, onTestFinished } from "vitest";
import { type BlobStore, isBlobKey, LocalBlobStore, PhotoStore } from "./photo-store";
import { processPhoto } from "./process-photo";
import { S3BlobStore } from "./s3-blob-store";
import { s3ServerForFile } from "./s3-test-hooks";
import { S3_TEST_CREDENTIALS } from "./s3-test-server";

function tempRoot() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-photos-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "photos");
}

/** Every file under a folder, relative to it. */
function filesUnder(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((name) => fs.statSync(path.join(root, name)).isFile())
    .sort();
}

const KEY = "abcdef0123456789";

const s3 = s3ServerForFile();

/**
 * Each kind of store, empty, with what it holds listed by key: the files of the temp folder (and
 * anything that escaped into it) or the objects of a fresh bucket.
 */
const backends: { name: string; open: () => Promise<{ blobs: BlobStore; keys: () => Promise<string[]> }> }[] = [
  {
    name: "LocalBlobStore",
    async open() {
      const root = tempRoot();
      return { blobs: new LocalBlobStore(root), keys: async () => filesUnder(path.dirname(root)).map((f) => path.basename(f)) };
    },
  },
  {
    name: "S3BlobStore",
    async open() {
      const bucket = await s3.createBucket();
      const blobs = new S3BlobStore(s3.settings(bucket), S3_TEST_CREDENTIALS);
      onTestFinished(() => blobs.client.destroy());
      return { blobs, keys: () => s3.keys(bucket) };
    },
  },
];

/** The keys written through a store, in order. */
function watchingPuts(blobs: BlobStore) {
  const puts: string[] = [];
  const watched: BlobStore = {
    put: (key, bytes) => {
      puts.push(key);
      return blobs.put(key, bytes);
    },
    get: (key) => blobs.get(key),
    delete: (key) => blobs.delete(key),
    has: (key) => blobs.has(key),
  };
  return { puts, blobs: watched };
}

describe.each(backends)("$name", ({ open }) => {
  it("stores, reads, tells and deletes a blob", async () => {
    const { blobs: store, keys } = await open();
    expect(await store.has(KEY)).toBe(false);
    expect(await store.get(KEY)).toBeUndefined();

    await store.put(KEY, new Uint8Array([1, 2, 3]));
    expect(await store.has(KEY)).toBe(true);
    expect(await store.get(KEY)).toEqual(Buffer.from([1, 2, 3]));

    await store.put(KEY, Buffer.from("replaced"));
    expect((await store.get(KEY))?.toString()).toBe("replaced");

    await store.delete(KEY);
    expect(await store.has(KEY)).toBe(false);
    expect(await store.get(KEY)).toBeUndefined();
    await expect(store.delete(KEY)).resolves.toBeUndefined();
    expect(await keys()).toEqual([]);
  });

  it("keeps a large blob whole, and each key apart", async () => {
    const { blobs: store, keys } = await open();
    const large = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    await store.put(KEY, large);
    await store.put(`${KEY}.thumb.jpg`, Buffer.from("small"));
    expect((await store.get(KEY))?.equals(large)).toBe(true);
    expect((await store.get(`${KEY}.thumb.jpg`))?.toString()).toBe("small");
    expect(await keys()).toEqual([KEY, `${KEY}.thumb.jpg`]);
  });

  it.each([
    ["a path out of the store", "../../etc/passwd"],
    ["a relative path that looks like hex", "ab/../../cd"],
    ["a slash", "ab/cdef"],
    ["a backslash", "abcd\\ef"],
    ["two dots", "abcdef..jpg"],
    ["upper case", "ABCDEF"],
    ["letters that are not hex", "abcdefgh"],
    ["too short", "abc"],
    ["empty", ""],
    ["a leading dot", ".abcdef"],
    ["a NUL byte", "abcdef\0.jpg"],
  ])("refuses %s as a key, for every call", async (_name, key) => {
    const { blobs: store, keys } = await open();
    expect(isBlobKey(key)).toBe(false);
    await expect(store.put(key, Buffer.from("x"))).rejects.toThrow(/^Not a blob key/);
    await expect(store.get(key)).rejects.toThrow(/^Not a blob key/);
    await expect(store.has(key)).rejects.toThrow(/^Not a blob key/);
    await expect(store.delete(key)).rejects.toThrow(/^Not a blob key/);
    expect(await keys()).toEqual([]);
  });
});

describe("LocalBlobStore", () => {
  it("shards files by the first two characters of the key and leaves no temporary file behind", async () => {
    const root = tempRoot();
    const store = new LocalBlobStore(root);
    await store.put(KEY, Buffer.from("a"));
    await store.put(`${KEY}.thumb.jpg`, Buffer.from("b"));
    await store.put("12ff00", Buffer.from("c"));
    expect(filesUnder(root)).toEqual([path.join("12", "12ff00"), path.join("ab", KEY), path.join("ab", `${KEY}.thumb.jpg`)]);
    expect(store.pathOf(KEY)).toBe(path.join(root, "ab", KEY));
  });

  it("never lets a reader see half a file while a large one is being written", async () => {
    const store = new LocalBlobStore(tempRoot());
    const first = Buffer.alloc(8 * 1024 * 1024, 1);
    const second = Buffer.alloc(8 * 1024 * 1024, 2);
    await store.put(KEY, first);

    let reads = 0;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 6; i++) await store.put(KEY, i % 2 === 0 ? second : first);
      writing = false;
    })();
    while (writing) {
      const seen = await store.get(KEY);
      reads++;
      // Whole and one of the two versions: never empty, never cut short, never a mix.
      expect(seen?.length).toBe(first.length);
      expect(seen?.equals(first) || seen?.equals(second)).toBe(true);
    }
    await writer;
    expect(reads).toBeGreaterThan(1);
  });

  it("leaves the old file and no temporary file when a write fails", async () => {
    const root = tempRoot();
    const store = new LocalBlobStore(root);
    await store.put("aa0000", Buffer.from("kept"));
    // A directory where the file should go makes the final rename fail.
    fs.mkdirSync(store.pathOf("aa1111"), { recursive: true });
    await expect(store.put("aa1111", Buffer.from("lost"))).rejects.toThrow();
    expect(filesUnder(root)).toEqual([path.join("aa", "aa0000")]);
    expect((await store.get("aa0000"))?.toString()).toBe("kept");
  });

  it("sweeps old temporary files left by a crash, and not recent ones", async () => {
    const root = tempRoot();
    const store = new LocalBlobStore(root);
    expect(await store.sweep()).toBe(0);
    await store.put(KEY, Buffer.from("whole"));
    const incoming = path.join(root, ".incoming");
    fs.writeFileSync(path.join(incoming, `${KEY}.0001.tmp`), "half a ph");
    fs.writeFileSync(path.join(incoming, `${KEY}.0002.tmp`), "in progr");
    const hourAgo = new Date(Date.now() - 2 * 60 * 60_000);
    fs.utimesSync(path.join(incoming, `${KEY}.0001.tmp`), hourAgo, hourAgo);

    expect(await store.sweep()).toBe(1);
    expect(fs.readdirSync(incoming)).toEqual([`${KEY}.0002.tmp`]);
    expect((await store.get(KEY))?.toString()).toBe("whole");
  });
});

describe.each(backends)("PhotoStore on $name", ({ open }) => {
  async function processed() {
    const png = await sharp({ create: { width: 1000, height: 500, channels: 3, background: { r: 20, g: 120, b: 200 } } })
      .png()
      .toBuffer();
    return processPhoto(png);
  }

  it("names a photo by the SHA-256 of its display image and keeps the display image and thumbnail", async () => {
    const { blobs, keys } = await open();
    const photos = new PhotoStore(blobs);
    const photo = await processed();

    const saved = await photos.save(photo);
    expect(saved).toEqual({
      id: createHash("sha256").update(photo.display.bytes).digest("hex"),
      width: 1000,
      height: 500,
    });
    expect(photoIdSchema.safeParse(saved.id).success).toBe(true);
    expect(await photos.display(saved.id)).toEqual(photo.display.bytes);
    expect(await photos.thumb(saved.id)).toEqual(photo.thumb.bytes);
    expect(await photos.has(saved.id)).toBe(true);
    expect(await keys()).toEqual([`${saved.id}.jpg`, `${saved.id}.thumb.jpg`]);
  });

  it("stores the same photo once however often it is saved", async () => {
    const { blobs, keys } = await open();
    const watched = watchingPuts(blobs);
    const photos = new PhotoStore(watched.blobs);
    const photo = await processed();
    const first = await photos.save(photo);
    expect(watched.puts).toEqual([`${first.id}.thumb.jpg`, `${first.id}.jpg`]);
    const again = await photos.save(photo);
    expect(again).toEqual(first);
    expect(watched.puts).toHaveLength(2);
    expect(await keys()).toHaveLength(2);
  });

  it("completes a save that a crash cut short after the thumbnail", async () => {
    const { blobs } = await open();
    const photos = new PhotoStore(blobs);
    const photo = await processed();
    const { id } = await photos.save(photo);
    await blobs.delete(`${id}.jpg`);
    await blobs.put(`${id}.thumb.jpg`, Buffer.from("stale"));
    expect(await photos.has(id)).toBe(false);

    await photos.save(photo);
    expect(await photos.display(id)).toEqual(photo.display.bytes);
    expect(await photos.thumb(id)).toEqual(photo.thumb.bytes);
  });

  it("removes both images", async () => {
    const { blobs, keys } = await open();
    const photos = new PhotoStore(blobs);
    const { id } = await photos.save(await processed());
    await photos.remove(id);
    expect(await photos.display(id)).toBeUndefined();
    expect(await photos.thumb(id)).toBeUndefined();
    expect(await photos.has(id)).toBe(false);
    expect(await keys()).toEqual([]);
  });

  it("answers undefined for an unknown id and for anything that is not a photo id", async () => {
    const photos = new PhotoStore((await open()).blobs);
    expect(await photos.display("0".repeat(64))).toBeUndefined();
    for (const id of ["../../etc/passwd", "0".repeat(63), "A".repeat(64), `${"0".repeat(64)}.jpg`, ""]) {
      expect(await photos.display(id)).toBeUndefined();
      expect(await photos.thumb(id)).toBeUndefined();
      expect(await photos.has(id)).toBe(false);
      await expect(photos.remove(id)).resolves.toBeUndefined();
    }
  });
});
