import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { ConfigError, loadConfig } from "../config";
import { blobStoreFor, photoLocation } from "./photo-storage";
import { LocalBlobStore } from "./photo-store";
import { S3BlobStore } from "./s3-blob-store";
import { awsCredentialsInEnvironment, s3ServerForFile } from "./s3-test-hooks";

const s3 = s3ServerForFile();

function dataDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-storage-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const s3Env = (bucket: string) => ({ S3_BUCKET: bucket, S3_ENDPOINT: s3.endpoint, S3_FORCE_PATH_STYLE: "true" });

describe("blobStoreFor", () => {
  it("keeps photos in the data folder's photos folder by default", async () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    const blobs = await blobStoreFor(config);
    expect(blobs).toBeInstanceOf(LocalBlobStore);
    expect((blobs as LocalBlobStore).pathOf("abcdef")).toBe(path.join(config.dataDir, "photos", "ab", "abcdef"));
    expect(photoLocation(config)).toBe(path.join(config.dataDir, "photos"));
  });

  it("puts photos in the bucket when S3_BUCKET is set, signing with the standard AWS variables", async () => {
    awsCredentialsInEnvironment();
    const bucket = await s3.createBucket();
    const config = loadConfig({ DATA_DIR: dataDir(), ...s3Env(bucket), S3_PREFIX: "north" });
    const blobs = await blobStoreFor(config);
    onTestFinished(() => (blobs as S3BlobStore).client.destroy());
    expect(blobs).toBeInstanceOf(S3BlobStore);
    await blobs.put("abcdef", Buffer.from("photo"));
    expect(await s3.keys(bucket)).toEqual(["north/abcdef"]);
    expect(fs.readdirSync(config.dataDir)).toEqual([]);
    expect(photoLocation(config)).toBe(`s3://${bucket}/north/ at ${s3.endpoint}`);

    // s3rver knows one access key (it does not check SigV4 signatures): another in the same
    // variable is refused, so the relay did sign with what the environment gave.
    vi.stubEnv("AWS_ACCESS_KEY_ID", "SOMEONE-ELSE");
    await expect(blobStoreFor(config)).rejects.toThrow(
      new ConfigError(
        `Letterbox cannot start: the photo bucket cannot be used. The bucket “${bucket}” at ${s3.endpoint} refused the relay's credentials: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the profile or role) and that they may read and write the bucket.`,
      ),
    );
  });

  it("stops the start with a sentence when the bucket is not there", async () => {
    awsCredentialsInEnvironment();
    const config = loadConfig({ DATA_DIR: dataDir(), ...s3Env("letterbox-missing") });
    await expect(blobStoreFor(config)).rejects.toThrow(
      new ConfigError(
        `Letterbox cannot start: the photo bucket cannot be used. There is no bucket called “letterbox-missing” at ${s3.endpoint}: create it, or correct S3_BUCKET.`,
      ),
    );
  });
});
