/**
 * A real S3 protocol server for tests (s3rver, objects in a temp folder) on a free 127.0.0.1 port,
 * and a client of its own to look into the buckets through the S3 API, as an operator would.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import type { S3Settings } from "./s3-blob-store";

/** The one account s3rver knows: it refuses other access keys (it does not check SigV4 signatures). */
export const S3_TEST_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export type S3TestServer = Awaited<ReturnType<typeof startS3Server>>;

export async function startS3Server() {
  // The SDK warns once per process that its releases from 2027 want Node 22; in every test worker
  // that is noise, and the pinned version runs on 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-s3-"));
  const s3rver = new S3rver({ silent: true, directory });
  // Our own HTTP server around s3rver's handler, so that closing it can also close the SDK's
  // kept-alive connections instead of waiting for them.
  const server = http.createServer(s3rver.callback());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: S3_TEST_CREDENTIALS });
  let buckets = 0;

  return {
    endpoint,
    /** A new empty bucket; its name is counted, not random, so a failing test names the same one. */
    async createBucket(): Promise<string> {
      const bucket = `letterbox-test-${++buckets}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    settings(bucket: string, prefix = ""): S3Settings {
      return { bucket, prefix, region: "us-east-1", endpoint, forcePathStyle: true };
    },
    /** Every key in the bucket, prefix included, sorted. */
    async keys(bucket: string): Promise<string[]> {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key])));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    async object(bucket: string, key: string): Promise<Buffer> {
      const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from((await Body?.transformToByteArray()) ?? []);
    },
    async close(): Promise<void> {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
