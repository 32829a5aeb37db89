/**
 * The S3 test server as vitest test files use it: one server a file, and the AWS variables the
 * relay's credentials come from. Kept apart from s3-test-server.ts, which the end-to-end suite
 * imports outside vitest.
 */
import { afterAll, beforeAll, onTestFinished, vi } from "vitest";
import { S3_TEST_CREDENTIALS, type S3TestServer, startS3Server } from "./s3-test-server";

/**
 * One S3 test server for the test file that calls this at its top: started before the file's
 * first test, closed after its last. It can be used inside tests and hooks, not at the top.
 */
export function s3ServerForFile(): S3TestServer {
  let server: S3TestServer | undefined;
  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(() => server?.close());
  // The file names the server at its top, before beforeAll has started it: each use looks it up.
  return new Proxy({} as S3TestServer, {
    get(_target, name) {
      if (!server) throw new Error("The S3 test server starts before the file's first test: use it inside a test or hook.");
      return Reflect.get(server, name);
    },
  });
}

/**
 * Puts the test server's credentials in the standard AWS variables, which the SDK's default
 * provider chain (the relay's, when S3_BUCKET is set) reads first. Every variable the test stubs is
 * put back when it finishes.
 */
export function awsCredentialsInEnvironment() {
  onTestFinished(() => {
    vi.unstubAllEnvs();
  });
  vi.stubEnv("AWS_ACCESS_KEY_ID", S3_TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", S3_TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv("AWS_SESSION_TOKEN", undefined);
  vi.stubEnv("AWS_PROFILE", undefined);
}
