import type { StaffSetupRequest } from "@letterbox/shared";
import { test as base, expect, request } from "@playwright/test";
import { freshPostgres } from "../../server/src/fresh-postgres";
import { S3_TEST_CREDENTIALS, type S3TestServer, startS3Server } from "../../server/src/images/s3-test-server";
import { SEED_STAFF, StaffApi } from "./api";
import { type RunningRelay, startRelay } from "./relay";

/** Each cluster takes this port and the next; one test at a time runs one, so the next test takes them again. */
const FIRST_PORT = Number(process.env.LETTERBOX_E2E_CLUSTER_PORT ?? 8400);
/** Photos go under a prefix, as where several councils or environments share one bucket. */
export const S3_PREFIX = "e2e/photos";

/**
 * The scaled-out shape: two relay processes on one PostgreSQL database and one S3 bucket, with
 * nothing else in common (each has its own empty data folder). Staff are signed in on A.
 */
export type Cluster = {
  a: RunningRelay;
  b: RunningRelay;
  staff: StaffApi;
  s3: S3TestServer;
  bucket: string;
};

/** Starts the cluster; whatever was started is stopped again when a later step fails. */
async function startCluster(undo: (() => Promise<unknown>)[]): Promise<Cluster> {
  const database = await freshPostgres();
  undo.push(() => database.drop());
  const s3 = await startS3Server();
  undo.push(() => s3.close());
  const bucket = await s3.createBucket();
  const env = {
    DATABASE_URL: database.url,
    S3_BUCKET: bucket,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: "us-east-1",
    S3_FORCE_PATH_STYLE: "true",
    S3_PREFIX,
    AWS_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };

  const a = await startRelay(FIRST_PORT, { env });
  undo.push(() => a.stop());
  if (!a.setupLink) throw new Error("The first relay on a new database printed no set-up link");
  const api = await request.newContext({ baseURL: a.url });
  undo.push(() => api.dispose());
  // The first staff account is made before B starts, as when an instance is added to a running
  // relay: B then finds staff and prints no set-up link (checked below).
  const setup: StaffSetupRequest = { token: new URL(a.setupLink).hash.replace("#setup=", ""), ...SEED_STAFF };
  const created = await api.post("/api/staff/setup", { data: setup });
  // Making the account signs this context in.
  expect(created.status(), await created.text()).toBe(201);

  const b = await startRelay(FIRST_PORT + 1, { env });
  undo.push(() => b.stop());
  if (b.setupLink) throw new Error("The second relay issued a set-up link although staff exist");
  return { a, b, staff: new StaffApi(a, api), s3, bucket };
}

/** Undoes in reverse order, every step even when one fails; then reports the first failure. */
async function undoAll(undo: (() => Promise<unknown>)[]) {
  const errors: unknown[] = [];
  for (const step of undo.reverse()) await step().catch((err: unknown) => errors.push(err));
  if (errors.length > 0) throw errors[0];
}

/** `cluster`: two relays of the test's own on a database and bucket of its own, all removed afterwards, pass or fail. */
export const test = base.extend<{ cluster: Cluster }>({
  cluster: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies as the first argument.
    async ({}, use) => {
      const undo: (() => Promise<unknown>)[] = [];
      try {
        await use(await startCluster(undo));
      } finally {
        await undoAll(undo);
      }
    },
    // Two relays starting on a busy two-core machine take a while; so does stopping them.
    { timeout: 120_000 },
  ],
});

export { expect };
