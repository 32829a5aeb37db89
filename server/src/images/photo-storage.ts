/**
 * Where the relay keeps photos, from its configuration: the data folder by default, an
 * S3-compatible bucket when S3_BUCKET is set (the scaled-out shape, where several relay processes
 * share the photos and no disk needs to last).
 */
import type { Config } from "../config";
import { ConfigError } from "../config";
import { photosFolder } from "../data-folder";
import { type BlobStore, LocalBlobStore } from "./photo-store";
import { S3BlobStore } from "./s3-blob-store";

/**
 * For S3, checks the bucket before the relay takes its first photo, so that a wrong name, region
 * or key stops the start with a sentence rather than failing every upload later.
 */
export async function blobStoreFor(config: Pick<Config, "dataDir" | "s3">): Promise<BlobStore> {
  if (!config.s3) return new LocalBlobStore(photosFolder(config.dataDir));
  const store = new S3BlobStore(config.s3);
  try {
    await store.checkReachable();
  } catch (err) {
    store.client.destroy();
    throw new ConfigError(`Letterbox cannot start: the photo bucket cannot be used. ${(err as Error).message}`, { cause: err });
  }
  return store;
}

/** Where photos are kept, for the start-up log. */
export function photoLocation(config: Pick<Config, "dataDir" | "s3">): string {
  if (!config.s3) return photosFolder(config.dataDir);
  const { bucket, prefix, endpoint } = config.s3;
  return `s3://${bucket}/${prefix === "" ? "" : `${prefix}/`}${endpoint ? ` at ${endpoint}` : ""}`;
}
