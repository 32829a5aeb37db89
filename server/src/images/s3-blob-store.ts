/**
 * Photos in an S3-compatible bucket (AWS S3, MinIO, Ceph, …), for relays that run as several
 * processes or on machines without a lasting disk. The objects are named by the same keys as the
 * files of LocalBlobStore, under an optional prefix, so several relays can share one bucket.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { type BlobStore, checkKey } from "./photo-store";

export type S3Settings = {
  bucket: string;
  /** Folder-like prefix without slashes at either end ("north-council/photos"); "" for none. */
  prefix: string;
  region: string;
  /** For servers other than AWS; AWS's own endpoint for the region when absent. */
  endpoint?: string;
  /** bucket.host/key (virtual-hosted, AWS's default) or host/bucket/key (most self-hosted servers). */
  forcePathStyle: boolean;
};

export class S3BlobStore implements BlobStore {
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  /**
   * `credentials` only for tests and tools: the relay leaves them to the SDK's default provider
   * chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, a container or instance role).
   */
  constructor(
    private readonly settings: S3Settings,
    credentials?: S3ClientConfig["credentials"],
  ) {
    this.bucket = settings.bucket;
    this.prefix = settings.prefix === "" ? "" : `${settings.prefix}/`;
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
      forcePathStyle: settings.forcePathStyle,
      ...(credentials && { credentials }),
      // The SDK now adds CRC checksums to every request and checks them on every answer; many
      // S3-compatible servers know neither. Only where S3 itself demands one (none of our calls).
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      // An address that drops packets would otherwise hold a request (and the start check) for
      // minutes. Five seconds to connect; thirty without a byte moving.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    });
  }

  private objectKey(key: string): string {
    checkKey(key);
    return `${this.prefix}${key}`;
  }

  /** A single PUT replaces an object whole: a reader sees the old bytes or the new, never a part. */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    // No ACL: objects take the bucket's, private unless an operator opened the bucket.
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: bytes, ContentLength: bytes.byteLength }),
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      if (!Body) throw new Error(`The object store answered ${key} without a body`);
      const bytes = await Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      // Only a missing key is "not there": a missing bucket (NoSuchBucket) is a broken relay.
      if (errorName(err) === "NoSuchKey") return undefined;
      throw err;
    }
  }

  /** S3 answers a delete of a missing key with 204, as for one it removed. */
  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  /**
   * A HEAD answer has no body to say why it is 404, so a missing bucket reads as a missing object
   * here; the put or get that follows says which. The start check (checkReachable) rules it out.
   */
  async has(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (err) {
      if (errorName(err) === "NotFound" || httpStatus(err) === 404) return false;
      throw err;
    }
  }

  /**
   * Checks that the bucket is there and these credentials may use it; throws an error whose message
   * says in a sentence what is wrong and which setting to look at.
   */
  async checkReachable(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      throw new Error(this.unreachableReason(err), { cause: err });
    }
  }

  private unreachableReason(err: unknown): string {
    const { bucket, region, endpoint } = this.settings;
    const where = endpoint ?? `AWS S3 in ${region}`;
    const status = httpStatus(err);
    const name = errorName(err);
    const code = err instanceof Error && "code" in err ? String(err.code) : undefined;
    if (name === "CredentialsProviderError") {
      return "No AWS credentials were found for the photo bucket: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run the relay with a role that may use the bucket.";
    }
    if (status === 404) return `There is no bucket called “${bucket}” at ${where}: create it, or correct S3_BUCKET.`;
    if (status === 403) {
      return `The bucket “${bucket}” at ${where} refused the relay's credentials: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the profile or role) and that they may read and write the bucket.`;
    }
    if (status === 301) return `The bucket “${bucket}” is not in ${region}: set S3_REGION to the bucket's region.`;
    if (code === "ENOTFOUND" && endpoint !== undefined && !this.settings.forcePathStyle) {
      // Without path style the SDK asks for bucket.host, which a self-hosted server rarely has in DNS.
      return `Nothing answered at ${bucket}.${new URL(endpoint).host} (ENOTFOUND): set S3_FORCE_PATH_STYLE=true if the server at ${endpoint} wants the bucket in the path.`;
    }
    if (code !== undefined && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH)$/.test(code)) {
      return `Nothing answered at ${where} (${code}): check S3_ENDPOINT and that the object store is running.`;
    }
    if (name === "TimeoutError") return `${where} did not answer in time: check S3_ENDPOINT and the network between them.`;
    const detail = err instanceof Error ? err.message : String(err);
    return `The bucket “${bucket}” at ${where} could not be used (${status ?? name}: ${detail}).`;
  }
}

const errorName = (err: unknown) => (err instanceof Error ? err.name : undefined);

const httpStatus = (err: unknown): number | undefined =>
  typeof err === "object" && err !== null && "$metadata" in err
    ? (err.$metadata as { httpStatusCode?: number }).httpStatusCode
    : undefined;
