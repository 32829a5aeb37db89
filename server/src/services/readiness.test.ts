/**
 * /readyz against real databases and photo stores, each broken the way an operator would meet it:
 * a database gone, a migration not run, a photo folder the relay may not write, a bucket that is
 * not there.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { type Readiness, readinessSchema } from "@letterbox/shared";
import { describe, expect, it, onTestFinished } from "vitest";
import { allMigrations } from "../db/migrations";
import { S3BlobStore } from "../images/s3-blob-store";
import { s3ServerForFile } from "../images/s3-test-hooks";
import { S3_TEST_CREDENTIALS } from "../images/s3-test-server";
import { engines } from "../test-databases";
import { expectBody, type Relay, startRelay } from "../test-support";

const s3 = s3ServerForFile();

async function readiness(relay: Relay, status: number): Promise<Readiness> {
  const res = await relay.request("/readyz");
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return expectBody(res, status, readinessSchema);
}

/** A failure answer names the check and says what is wrong without naming where anything is. */
function expectOnlyFailure(answer: Readiness, relay: Relay, failure: { check: string; code: string }) {
  if (answer.status !== "not_ready") throw new Error(`Expected not_ready, got ${JSON.stringify(answer)}`);
  expect(answer.failures.map(({ check, code }) => ({ check, code }))).toEqual([failure]);
  const text = JSON.stringify(answer);
  expect(text).not.toContain(relay.dataDir);
  expect(text).not.toMatch(/127\.0\.0\.1|localhost|postgres(ql)?:|sqlite|S3RVER|letterbox-test|ENOTDIR|EACCES|\/tmp/i);
  for (const { message } of answer.failures) expect(message).toMatch(/^[A-Z].*\.$/);
  return answer;
}

async function s3Blobs(bucket: string) {
  const blobs = new S3BlobStore(s3.settings(bucket, "north-council"), S3_TEST_CREDENTIALS);
  onTestFinished(() => blobs.client.destroy());
  return blobs;
}

describe.each(engines)("readiness on $name", (engine) => {
  it("is ready when the database answers, every migration has run and the photo folder takes a file, and leaves no file behind", async () => {
    const relay = await startRelay({ engine });
    expect(await readiness(relay, 200)).toEqual({
      status: "ready",
      version: expect.any(String),
      checks: { database: "ok", migrations: "ok", photos: "ok" },
    });
    const photos = path.join(relay.dataDir, "photos");
    const files = fs.existsSync(photos) ? fs.readdirSync(photos, { recursive: true, withFileTypes: true }) : [];
    expect(files.filter((f) => f.isFile()).map((f) => f.name)).toEqual([]);
  });

  it("is not ready, and says the database cannot be reached, when the database has gone", async () => {
    const relay = await startRelay({ engine });
    await relay.db.destroy();
    const answer = expectOnlyFailure(await readiness(relay, 503), relay, { check: "database", code: "database_unreachable" });
    // Which migrations ran cannot be read without the database.
    expect(answer.checks).toEqual({ database: "failed", migrations: "skipped", photos: "ok" });
  });

  it("is not ready, and names the migration, when the database has not run one the relay knows", async () => {
    const relay = await startRelay({ engine });
    const last = Object.keys(allMigrations).sort().at(-1) as string;
    const removed = await relay.db
      .deleteFrom("kysely_migration" as never)
      .where("name" as never, "=", last as never)
      .executeTakeFirst();
    expect(removed.numDeletedRows).toBe(1n);
    const answer = expectOnlyFailure(await readiness(relay, 503), relay, { check: "migrations", code: "migrations_pending" });
    expect(answer.checks).toEqual({ database: "ok", migrations: "failed", photos: "ok" });
    expect(answer.status === "not_ready" && answer.failures[0]?.message).toContain(last);
  });

  it.skipIf(process.getuid?.() === 0)("is not ready when the relay may not write to its photo folder", async () => {
    const relay = await startRelay({ engine });
    const photos = path.join(relay.dataDir, "photos");
    fs.mkdirSync(photos, { recursive: true });
    fs.chmodSync(photos, 0o500);
    onTestFinished(() => fs.chmodSync(photos, 0o700));
    const answer = expectOnlyFailure(await readiness(relay, 503), relay, { check: "photos", code: "photo_store_not_writable" });
    expect(answer.checks).toEqual({ database: "ok", migrations: "ok", photos: "failed" });
  });

  it("is not ready when a file stands where the photo folder should be", async () => {
    const relay = await startRelay({ engine });
    fs.rmSync(path.join(relay.dataDir, "photos"), { recursive: true, force: true });
    fs.writeFileSync(path.join(relay.dataDir, "photos"), "not a folder");
    const answer = expectOnlyFailure(await readiness(relay, 503), relay, { check: "photos", code: "photo_store_not_writable" });
    expect(answer.checks).toEqual({ database: "ok", migrations: "ok", photos: "failed" });
  });

  it("is ready with photos in an S3 bucket it may write to, and leaves no object behind", async () => {
    const bucket = await s3.createBucket();
    const relay = await startRelay({ engine, blobs: await s3Blobs(bucket) });
    expect((await readiness(relay, 200)).status).toBe("ready");
    expect(await s3.keys(bucket)).toEqual([]);
  });

  it("is not ready when its S3 bucket does not exist", async () => {
    const relay = await startRelay({ engine, blobs: await s3Blobs("letterbox-no-such-bucket") });
    const answer = expectOnlyFailure(await readiness(relay, 503), relay, { check: "photos", code: "photo_store_not_writable" });
    expect(answer.checks).toEqual({ database: "ok", migrations: "ok", photos: "failed" });
    expect(JSON.stringify(answer)).not.toContain("letterbox-no-such-bucket");
  });

  it("is not ready within its time limit when the photo store never answers", async () => {
    // Takes connections and never says a word, as a firewall that drops packets half-way would.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    onTestFinished(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const { port } = silent.address() as net.AddressInfo;
    const blobs = new S3BlobStore(
      { bucket: "photos", prefix: "", region: "us-east-1", endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true },
      S3_TEST_CREDENTIALS,
    );
    onTestFinished(() => blobs.client.destroy());
    const relay = await startRelay({ engine, blobs, readinessTimeoutMs: 200 });
    const answer = expectOnlyFailure(await readiness(relay, 503), relay, { check: "photos", code: "photo_store_not_writable" });
    expect(answer.status === "not_ready" && answer.failures[0]?.message).toMatch(/did not .* within 0\.2 seconds/);
    expect(sockets.size).toBeGreaterThan(0);
  });
});
