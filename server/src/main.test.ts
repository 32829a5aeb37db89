import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "pg";
import { expect, it, onTestFinished } from "vitest";
import { connect } from "./http/raw-client";
import { S3_TEST_CREDENTIALS, startS3Server } from "./images/s3-test-server";
import { freshPostgres } from "./test-databases";

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Runs the relay as `pnpm start` does, collecting its JSON log lines and what it writes to stderr. */
function startProcess(dataDir: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const events: Record<string, unknown>[] = [];
  const waiters: { event: string; resolve: (e: Record<string, unknown>) => void }[] = [];
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      const event = JSON.parse(line) as Record<string, unknown>;
      events.push(event);
      for (const w of waiters.filter((w) => w.event === event.event)) w.resolve(event);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const waitFor = (event: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const seen = events.find((e) => e.event === event);
      if (seen) resolve(seen);
      else waiters.push({ event, resolve });
    });
  onTestFinished(() => {
    child.kill("SIGKILL");
  });
  return { child, events, exited, waitFor, stderr: () => stderr };
}

it("stops cleanly on SIGTERM: logs the stop, exits 0 and leaves the database checkpointed", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-main-"));
  onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const relay = startProcess(dataDir);
  const started = await relay.waitFor("relay.started");

  const health = await fetch(`http://127.0.0.1:${started.port}/healthz`);
  expect(health.status).toBe(200);
  await relay.waitFor("request");
  expect(fs.existsSync(path.join(dataDir, "letterbox.sqlite-wal"))).toBe(true);

  relay.child.kill("SIGTERM");
  expect(await relay.exited).toBe(0);
  expect(relay.events.map((e) => e.event)).toEqual(expect.arrayContaining(["relay.stopping", "relay.stopped"]));
  // Closing the last connection folds the write-ahead log into the database file.
  expect(fs.existsSync(path.join(dataDir, "letterbox.sqlite-wal"))).toBe(false);
  const request = relay.events.find((e) => e.event === "request");
  // A folder made private (mkdtemp makes it 0700) gives no warning.
  expect(relay.events.some((e) => e.event === "data_folder.open_to_others")).toBe(false);
  expect(request).toMatchObject({ method: "GET", route: "/healthz", status: 200 });
}, 30_000);

it("stops at once on SIGTERM with polling tablets, answering every request it had received and resetting none", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-main-"));
  onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const relay = startProcess(dataDir);
  const { port } = (await relay.waitFor("relay.started")) as { port: number };

  // Tablets that poll over keep-alive connections, between two polls.
  const polling = await Promise.all(Array.from({ length: 50 }, () => connect(port)));
  for (const c of polling) c.get("/healthz");
  await Promise.all(polling.map((c) => c.untilResponses(1)));
  // A request whose body is still on its way.
  const uploading = await connect(port);
  uploading.write("POST /api/staff/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n");
  uploading.write('Transfer-Encoding: chunked\r\n\r\n5\r\n{"ema\r\n');

  // While the relay is paused, so that it has read none of it when the stop begins: every tablet
  // sends its next poll, and new connections (accepted by the kernel, not yet by the relay) send one.
  relay.child.kill("SIGSTOP");
  const fresh = await Promise.all(Array.from({ length: 20 }, () => connect(port)));
  for (const c of [...polling, ...fresh]) c.get("/healthz");
  relay.child.kill("SIGTERM");
  relay.child.kill("SIGCONT");
  await relay.waitFor("relay.stopping");
  const rest = '"il":"a@example.org","password":"not the password"}';
  uploading.write(`${rest.length.toString(16)}\r\n${rest}\r\n0\r\n\r\n`);

  expect(await relay.exited).toBe(0);
  for (const c of [...polling, ...fresh, uploading]) expect(await c.ended).toEqual({ error: undefined });
  // A poll the relay read before the signal was answered keep-alive, and its connection then
  // closed as idle; one read after it says `Connection: close`. Either way it was answered.
  for (const c of polling) expect(c.responses()).toMatchObject({ complete: [{ status: 200 }, { status: 200 }], rest: "" });
  for (const c of fresh) expect(c.responses()).toMatchObject({ complete: [{ status: 200 }], rest: "" });
  expect(await relay.waitFor("relay.stopped")).toMatchObject({ cut: 0 });
  const [answer] = uploading.responses().complete;
  expect(answer?.headers.connection).toBe("close");
  expect(answer?.status).toBeLessThan(500);
  expect(JSON.parse(answer?.body ?? "")).toHaveProperty("error.code");
}, 30_000);

it("warns at start, in a sentence, when the data folder is open to other users", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-main-"));
  onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  fs.chmodSync(dataDir, 0o755);
  const relay = startProcess(dataDir);
  await relay.waitFor("relay.started");
  expect(relay.events.find((e) => e.event === "data_folder.open_to_others")).toEqual({
    time: expect.any(String),
    event: "data_folder.open_to_others",
    paths: [`${dataDir} (755)`],
    hint: `Other users on this machine can read or change ${dataDir}, which holds message text, password hashes and the push key. Run chmod -R go-rwx ${dataDir} to make it private.`,
  });
}, 30_000);

it("keeps its records in PostgreSQL when DATABASE_URL names a database, and no database file in the data folder", async () => {
  const database = await freshPostgres();
  onTestFinished(() => database.drop());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-main-"));
  onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const relay = startProcess(dataDir, { DATABASE_URL: database.url });
  const started = await relay.waitFor("relay.started");
  expect((await fetch(`http://127.0.0.1:${started.port}/healthz`)).status).toBe(200);
  relay.child.kill("SIGTERM");
  expect(await relay.exited).toBe(0);

  const client = new Client({ connectionString: database.url });
  await client.connect();
  onTestFinished(() => client.end());
  // The push key pair is made at first start, in the relay's database.
  expect((await client.query("SELECT count(*)::int AS n FROM push_vapid_keys")).rows).toEqual([{ n: 1 }]);
  expect(fs.readdirSync(dataDir)).toEqual([]);
}, 30_000);

it("keeps photos in the bucket S3_BUCKET names, and will not start when that bucket is not there", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-main-"));
  onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const s3 = await startS3Server();
  onTestFinished(() => s3.close());
  const bucket = await s3.createBucket();
  const env = {
    S3_ENDPOINT: s3.endpoint,
    S3_FORCE_PATH_STYLE: "true",
    S3_PREFIX: "north",
    AWS_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };

  const missing = startProcess(dataDir, { ...env, S3_BUCKET: "letterbox-missing" });
  expect(await missing.exited).toBe(1);
  expect(missing.stderr()).toBe(
    `Letterbox cannot start: the photo bucket cannot be used. There is no bucket called “letterbox-missing” at ${s3.endpoint}: create it, or correct S3_BUCKET.\n`,
  );

  const relay = startProcess(dataDir, { ...env, S3_BUCKET: bucket });
  expect(await relay.waitFor("relay.started")).toMatchObject({ dataDir, photos: `s3://${bucket}/north/ at ${s3.endpoint}` });
}, 60_000);
