/**
 * Where processed photos live. `BlobStore` is the seam: the embedded relay keeps files in its data
 * folder (`LocalBlobStore`), a scaled-out one puts them in an S3-compatible bucket behind the same
 * four calls (`S3BlobStore`, s3-blob-store.ts). `PhotoStore` knows what a photo is made of and
 * names it by its content.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { photoIdSchema } from "@letterbox/shared";
import type { ProcessedPhoto } from "./process-photo";

export interface BlobStore {
  /** Stores the bytes under the key, replacing what was there; all or nothing. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  /** Does nothing when there is no such blob. */
  delete(key: string): Promise<void>;
  has(key: string): Promise<boolean>;
}

/**
 * Keys are made by the relay, never taken from a request as they are: lowercase hex, then
 * optional dotted suffixes (`<sha256>.thumb.jpg`). No slash and no "..", so a key can never name
 * a path outside the store.
 */
const KEY_PATTERN = /^[0-9a-f]{4,128}(?:\.[a-z0-9]{1,16}){0,3}$/;

export function isBlobKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** Throws before any I/O when the key is not one the relay makes. */
export function checkKey(key: string): void {
  if (!isBlobKey(key)) throw new TypeError(`Not a blob key: ${JSON.stringify(key.slice(0, 80))}`);
}

/**
 * Files under one folder, two hex characters of shard (`ab/abcdef….jpg`) so that no directory
 * grows to hundreds of thousands of entries.
 *
 * A write goes to a temporary file in `.incoming/`, is flushed to disk, then renamed into place,
 * and the directory is flushed too: a crash or a full disk leaves either the old file or the whole
 * new one, never half a photo. Leftover temporary files are never read; `sweep()` clears them.
 */
export class LocalBlobStore implements BlobStore {
  private readonly incoming: string;

  constructor(private readonly root: string) {
    this.incoming = path.join(root, ".incoming");
  }

  /** The file a key lives in. */
  pathOf(key: string): string {
    checkKey(key);
    return path.join(this.root, key.slice(0, 2), key);
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const target = this.pathOf(key);
    const directory = path.dirname(target);
    // Private to the relay's user, like the files in them (0600): photos are personal data.
    await Promise.all([
      fs.mkdir(directory, { recursive: true, mode: 0o700 }),
      fs.mkdir(this.incoming, { recursive: true, mode: 0o700 }),
    ]);
    const temporary = path.join(this.incoming, `${key}.${randomBytes(8).toString("hex")}.tmp`);
    try {
      const file = await fs.open(temporary, "wx", 0o600);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await fs.rename(temporary, target);
    } catch (err) {
      await fs.rm(temporary, { force: true });
      throw err;
    }
    await syncDirectory(directory);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.pathOf(key));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await fs.stat(this.pathOf(key))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  /**
   * Removes temporary files left by writes that never finished (a crash). Only old ones, so that a
   * write in progress is not pulled from under itself. Returns how many were removed.
   */
  async sweep(olderThanMs = 60 * 60_000, now = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await fs.readdir(this.incoming);
    } catch (err) {
      if (isMissing(err)) return 0;
      throw err;
    }
    let removed = 0;
    for (const name of names) {
      const file = path.join(this.incoming, name);
      const stat = await fs.stat(file).catch(() => undefined);
      if (stat && now - stat.mtimeMs > olderThanMs) {
        await fs.rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }
}

/** Makes a rename durable: the new directory entry is on disk, not only the file's bytes. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.open(directory, "r");
  try {
    await handle.sync();
  } catch (err) {
    // Some file systems (and Windows) cannot fsync a directory; the rename is still atomic there.
    if (!(err instanceof Error && "code" in err && (err.code === "EINVAL" || err.code === "EPERM" || err.code === "EISDIR")))
      throw err;
  } finally {
    await handle.close();
  }
}

function isMissing(err: unknown): boolean {
  return err instanceof Error && "code" in err && (err.code === "ENOENT" || err.code === "ENOTDIR");
}

export type SavedPhoto = { id: string; width: number; height: number };

/**
 * Photos by content: the id is the SHA-256 (hex) of the display image, so the same photo sent twice
 * is stored once, and an id cannot be guessed from anything but the image itself.
 */
export class PhotoStore {
  constructor(private readonly blobs: BlobStore) {}

  /**
   * Stores the thumbnail first and the display image last: the display image is what `has()` and
   * the relay look for, so once it is there the thumbnail is too, and a save cut short by a crash
   * leaves at most an unreferenced thumbnail (rewritten if the photo is sent again).
   */
  async save(photo: Pick<ProcessedPhoto, "display" | "thumb">): Promise<SavedPhoto> {
    const id = createHash("sha256").update(photo.display.bytes).digest("hex");
    if (!(await this.blobs.has(displayKey(id)))) {
      await this.blobs.put(thumbKey(id), photo.thumb.bytes);
      await this.blobs.put(displayKey(id), photo.display.bytes);
    }
    return { id, width: photo.display.width, height: photo.display.height };
  }

  /** Undefined when there is no such photo, including when the id is not a photo id at all. */
  async display(id: string): Promise<Buffer | undefined> {
    return isPhotoId(id) ? this.blobs.get(displayKey(id)) : undefined;
  }

  async thumb(id: string): Promise<Buffer | undefined> {
    return isPhotoId(id) ? this.blobs.get(thumbKey(id)) : undefined;
  }

  async has(id: string): Promise<boolean> {
    return isPhotoId(id) ? this.blobs.has(displayKey(id)) : false;
  }

  /**
   * Writes a small object and removes it again, as a photo would be written: resolves when the store
   * takes writes. Its key is never a photo's (32 hex characters, not 64), random so that relays
   * sharing a bucket do not remove each other's, and always in the same shard folder.
   */
  async probeWrite(): Promise<void> {
    const key = `00${randomBytes(15).toString("hex")}.probe`;
    await this.blobs.put(key, PROBE_BYTES);
    await this.blobs.delete(key);
  }

  /** The display image goes first, so that a removal cut short leaves no photo that looks whole. */
  async remove(id: string): Promise<void> {
    if (!isPhotoId(id)) return;
    await this.blobs.delete(displayKey(id));
    await this.blobs.delete(thumbKey(id));
  }
}

const PROBE_BYTES = new TextEncoder().encode("letterbox readiness probe\n");
const isPhotoId = (id: string) => photoIdSchema.safeParse(id).success;
const displayKey = (id: string) => `${id}.jpg`;
const thumbKey = (id: string) => `${id}.thumb.jpg`;
