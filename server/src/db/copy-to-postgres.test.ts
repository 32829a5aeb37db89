/**
 * Growing from the embedded default: a relay's SQLite data folder copied into a real PostgreSQL
 * database and a real S3 protocol server, then a relay started on those, where the same tablet,
 * family link and staff session carry on.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { conversationSchema } from "@letterbox/shared";
import SQLite from "better-sqlite3";
import { type Kysely, sql } from "kysely";
import { uuidv7 } from "uuidv7";
import { describe, expect, it, onTestFinished } from "vitest";
import { z } from "zod";
import type { BlobStore } from "../images/photo-store";
import { S3BlobStore } from "../images/s3-blob-store";
import { s3ServerForFile } from "../images/s3-test-hooks";
import { S3_TEST_CREDENTIALS } from "../images/s3-test-server";
import { silentLogger } from "../log";
import { freshPostgres } from "../test-databases";
import {
  expectBody,
  firstStaff,
  type Relay,
  relayOver,
  rowCounts,
  StaffClient,
  secondStaff,
  send,
  sendWithPhotos,
  signIn,
  startRelay,
  sync,
  tabletStatus,
  testJpeg,
  uploadPhoto,
} from "../test-support";
import { copyToPostgres, describeMigration, MigrateError } from "./copy-to-postgres";
import { openPostgres } from "./postgres";
import type { Database } from "./schema";
import { DATABASE_FILE, openSqliteFile } from "./sqlite";

const s3 = s3ServerForFile();

/** A relay on SQLite that has been used: staff, a household, a photo message, a reply, receipts, a tablet's status. */
async function usedRelay() {
  const relay = await startRelay();
  const admin = await firstStaff(relay);
  await secondStaff(relay, admin, "officer");
  const { resident, familyToken, deviceToken } = await admin.household("Margaret");
  const photoId = await uploadPhoto(relay, familyToken, await testJpeg(1));
  const withPhoto = await sendWithPhotos(relay, familyToken, "From the beach", [{ id: photoId, caption: "Sandcastle" }]);
  await send(relay, familyToken, "Lunch on Sunday?");
  await relay.request("/api/tablet/receipts", {
    bearer: deviceToken,
    json: { receipts: [{ messageId: withPhoto.id, state: "seen" }] },
  });
  await relay.request("/api/tablet/replies", {
    bearer: deviceToken,
    json: { id: uuidv7(), inReplyTo: withPhoto.id, text: "Lovely!" },
  });
  expect((await tabletStatus(relay, deviceToken)).status).toBe(200);
  // A wrong password: the sign-in budget is in the database too.
  await signIn(relay, "priya.shah@council.example", "not the password at all");
  await relay.request("/api/push/key");
  relay.clock.advanceMinutes(5);
  const { logId } = await sync(relay, deviceToken);
  return { relay, admin, resident, familyToken, deviceToken, photoId, logId };
}

/** What a relay shows a tablet, a family member and staff; the same after the move as before. */
async function whatEveryoneSees(
  relay: Relay,
  who: { familyToken: string; deviceToken: string; admin: StaffClient; photoId: string },
) {
  const staff = new StaffClient(relay, who.admin.cookie);
  return {
    tablet: await sync(relay, who.deviceToken, "?after=0"),
    family: await expectBody(
      await relay.request("/api/family/conversation", { bearer: who.familyToken }),
      200,
      conversationSchema,
    ),
    photo: Buffer.from(
      await (await relay.request(`/api/tablet/photos/${who.photoId}`, { bearer: who.deviceToken })).arrayBuffer(),
    ),
    audit: await staff.auditEntries(),
    residents: await expectBody(await staff.request("/residents"), 200, z.unknown()),
    pushKey: await relay.request("/api/push/key").then((r) => r.json()),
  };
}

/** Stops the SQLite relay, as migrate wants it. */
async function stop(relay: Relay) {
  await relay.services.push.stop();
  await relay.db.destroy();
}

async function emptyPostgres() {
  const database = await freshPostgres();
  onTestFinished(() => database.drop());
  const config = { engine: "postgres", url: database.url, poolSize: 4 } as const;
  const db = openPostgres(config.url, { poolSize: config.poolSize, log: silentLogger });
  onTestFinished(() => db.destroy());
  return { url: database.url, db, config };
}

async function emptyBucket() {
  const bucket = await s3.createBucket();
  const blobs = new S3BlobStore(s3.settings(bucket, "north"), S3_TEST_CREDENTIALS);
  onTestFinished(() => blobs.client.destroy());
  return { bucket, blobs };
}

/** Rows per Letterbox table, as PostgreSQL has them. */
async function postgresCounts(db: Kysely<Database>): Promise<Record<string, number>> {
  const { rows } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_name NOT LIKE 'kysely_%' ORDER BY table_name`.execute(db);
  const counts: Record<string, number> = {};
  for (const { name } of rows) {
    counts[name] = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(name)}`.execute(db)).rows[0]?.n);
  }
  return counts;
}

/** The row counts of the (stopped) relay's SQLite file, read through a connection of their own. */
async function sqliteCounts(relay: Relay) {
  const db = openSqliteFile(path.join(relay.dataDir, DATABASE_FILE));
  try {
    return Object.fromEntries(
      Object.entries(await rowCounts({ db })).filter(([t]) => !t.startsWith("kysely_") && t !== "sqlite_sequence"),
    );
  } finally {
    await db.destroy();
  }
}

const logIdOf = async (db: Kysely<Database>) =>
  (await db.selectFrom("log_identity").select("log_id").executeTakeFirstOrThrow()).log_id;

describe("copying a SQLite data folder into PostgreSQL and S3", () => {
  it("copies every row and photo, and the same tablet, family link and staff session carry on at the same log position", async () => {
    const used = await usedRelay();
    const before = await whatEveryoneSees(used.relay, used);
    const photoFiles = fs.readdirSync(path.join(used.relay.dataDir, "photos"), { recursive: true }).map(String);
    await stop(used.relay);
    // Not a photo: left where it is, and said so.
    fs.writeFileSync(path.join(used.relay.dataDir, "photos", ".DS_Store"), "Finder");
    const target = await emptyPostgres();
    const { bucket, blobs } = await emptyBucket();

    const progress: string[] = [];
    const report = await copyToPostgres({
      dataDir: used.relay.dataDir,
      target: target.db,
      blobs,
      onProgress: (line) => progress.push(line),
    });

    const counts = await sqliteCounts(used.relay);
    expect(report.tables).toEqual(counts);
    expect(await postgresCounts(target.db)).toEqual(counts);
    for (const table of ["staff", "staff_sessions", "staff_invites", "residents", "family_links", "devices", "messages"]) {
      expect(counts[table], table).toBeGreaterThan(0);
    }
    for (const table of ["message_photos", "replies", "log_entries", "audit_log", "limit_counters", "push_vapid_keys"]) {
      expect(counts[table], table).toBeGreaterThan(0);
    }
    const keys = [`${used.photoId}.jpg`, `${used.photoId}.thumb.jpg`];
    expect(await s3.keys(bucket)).toEqual(keys.map((k) => `north/${k}`).sort());
    expect(photoFiles.filter((f) => f.endsWith(".jpg")).sort()).toEqual(keys.map((k) => `${k.slice(0, 2)}/${k}`).sort());
    expect(report.photos).toEqual({ copied: 2, bytes: expect.any(Number), skipped: [".DS_Store"] });
    expect(report.missingPhotos).toEqual({ count: 0, first: [] });
    expect(report.logId).toBe(before.tablet.logId);
    // Photos first, then every table, in an order the foreign keys allow.
    expect(progress[0]).toBe("Copied 2 of 2 photo files.");
    expect(progress.slice(1).sort()).toEqual(
      Object.entries(counts)
        .map(([table, n]) => `Copied ${table} (${n.toLocaleString("en-GB")} ${n === 1 ? "row" : "rows"}).`)
        .sort(),
    );
    expect(progress.indexOf("Copied residents (1 row).")).toBeLessThan(
      progress.findIndex((l) => l.startsWith("Copied messages ")),
    );

    const after = relayOver(target, blobs, fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-migrated-")), used.relay.clock.now());
    onTestFinished(() => fs.rmSync(after.dataDir, { recursive: true, force: true }));
    const seen = await whatEveryoneSees(after, used);
    expect(seen).toEqual(before);
    expect(seen.photo.byteLength).toBeGreaterThan(1000);

    // The tablet's cursor continues: a new message is the next seq in the same log.
    const cursor = before.tablet.cursor;
    const next = await send(after, used.familyToken, "Sent after the move");
    expect(next.seq).toBe(before.tablet.head + 1);
    const page = await sync(after, used.deviceToken, `?after=${cursor}`);
    expect(page).toMatchObject({ logId: before.tablet.logId, head: cursor + 1, cursor: cursor + 1 });
    expect(page.entries.map((e) => e.seq)).toEqual([cursor + 1]);
    // Audit numbers go on after the copied ones rather than collide with them.
    const staff = new StaffClient(after, used.admin.cookie);
    await staff.createResident("Arthur");
    expect((await staff.auditEntries()).length).toBe(before.audit.length + 1);
  }, 60_000);

  it("copies a folder that lost a photo a message shows, and says which photo is missing", async () => {
    const used = await usedRelay();
    await stop(used.relay);
    fs.rmSync(path.join(used.relay.dataDir, "photos", used.photoId.slice(0, 2), `${used.photoId}.jpg`));
    const target = await emptyPostgres();
    const { bucket, blobs } = await emptyBucket();

    const report = await copyToPostgres({ dataDir: used.relay.dataDir, target: target.db, blobs });

    expect(report.missingPhotos).toEqual({ count: 1, first: [used.photoId] });
    expect(await s3.keys(bucket)).toEqual([`north/${used.photoId}.thumb.jpg`]);
    expect(
      describeMigration(report, { database: "postgres://db/letterbox", photos: "the bucket", nextStep: "start it." }),
    ).toContain(
      `1 photo that messages show was not in the photos folder (${used.photoId}): those messages show no photo, as they did before.`,
    );
  }, 60_000);

  it("refuses a target that already holds Letterbox records, and leaves it and the bucket as they were", async () => {
    const used = await usedRelay();
    await stop(used.relay);
    const target = await emptyPostgres();
    const first = await emptyBucket();
    await copyToPostgres({ dataDir: used.relay.dataDir, target: target.db, blobs: first.blobs });
    await target.db.updateTable("residents").set({ preferred_name: "Changed on PostgreSQL" }).execute();
    const countsBefore = await postgresCounts(target.db);
    const second = await emptyBucket();

    const attempt = copyToPostgres({ dataDir: used.relay.dataDir, target: target.db, blobs: second.blobs });
    await expect(attempt).rejects.toThrow(MigrateError);
    await expect(attempt).rejects.toThrow(
      /^The target database already holds Letterbox records \(in audit_log, devices, .*\)\. migrate copies only into an empty database, so that nothing is overwritten: give it a new one\. Nothing was written\.$/,
    );
    expect(await postgresCounts(target.db)).toEqual(countsBefore);
    expect((await target.db.selectFrom("residents").select("preferred_name").execute()).map((r) => r.preferred_name)).toEqual([
      "Changed on PostgreSQL",
    ]);
    expect(await s3.keys(second.bucket)).toEqual([]);
  }, 60_000);

  it("refuses while the relay is running, and a database with a table it does not know, before writing anything", async () => {
    const used = await usedRelay();
    const target = await emptyPostgres();
    const { bucket, blobs } = await emptyBucket();
    await expect(copyToPostgres({ dataDir: used.relay.dataDir, target: target.db, blobs })).rejects.toThrow(
      "The relay is running (its database is in use). Stop it, then run migrate again.",
    );
    await stop(used.relay);
    const file = new SQLite(used.relay.dbFile);
    file.exec("CREATE TABLE visit_notes (id integer primary key, text text)");
    file.close();

    await expect(copyToPostgres({ dataDir: used.relay.dataDir, target: target.db, blobs })).rejects.toThrow(
      "The SQLite database has tables that migrate does not know how to copy (visit_notes), so it copies nothing. This is a fault in Letterbox: report it.",
    );
    expect(await postgresCounts(target.db)).toEqual({});
    expect(await s3.keys(bucket)).toEqual([]);
  }, 60_000);

  it("keeps nothing in the database when a row cannot be copied half-way through", async () => {
    const used = await usedRelay();
    await stop(used.relay);
    // A message whose family link is gone, as a database that once ran without foreign keys can hold.
    const file = new SQLite(used.relay.dbFile);
    file.pragma("foreign_keys = OFF");
    file
      .prepare(
        "INSERT INTO messages (id, resident_id, family_link_id, sender_name, text, sent_at, seq) VALUES (?, ?, 'gone', 'Sarah', 'Orphan', ?, 99)",
      )
      .run(uuidv7(), used.resident.id, used.relay.clock.now().toISOString());
    file.close();
    const target = await emptyPostgres();
    const { blobs } = await emptyBucket();

    await expect(copyToPostgres({ dataDir: used.relay.dataDir, target: target.db, blobs })).rejects.toThrow(
      /^A row of messages could not be copied \(.*violates foreign key constraint.*\); nothing was kept in PostgreSQL\./,
    );
    const counts = await postgresCounts(target.db);
    expect(Object.entries(counts).filter(([, n]) => n > 0)).toEqual([["log_identity", 1]]);
    // The migration's own log identity, not the source's: the replacement went with the rest.
    expect(await logIdOf(target.db)).not.toBe(used.logId);
  }, 60_000);

  it("refuses a damaged photo, and a photo the bucket gives back changed, with nothing in the database", async () => {
    const used = await usedRelay();
    await stop(used.relay);
    const display = path.join(used.relay.dataDir, "photos", used.photoId.slice(0, 2), `${used.photoId}.jpg`);
    const good = fs.readFileSync(display);
    const target = await emptyPostgres();
    const { blobs } = await emptyBucket();

    fs.writeFileSync(display, Buffer.concat([good.subarray(0, 100), Buffer.alloc(1), good.subarray(101)]));
    await expect(copyToPostgres({ dataDir: used.relay.dataDir, target: target.db, blobs })).rejects.toThrow(
      `${display} does not match its name`,
    );
    expect((await postgresCounts(target.db)).residents).toBe(0);

    fs.writeFileSync(display, good);
    // A store that loses a byte on the way: the read-back check, not the name, catches it.
    const lossy: BlobStore = {
      put: (key, bytes) => blobs.put(key, bytes),
      get: async (key) => (await blobs.get(key))?.subarray(1),
      delete: (key) => blobs.delete(key),
      has: (key) => blobs.has(key),
    };
    await expect(copyToPostgres({ dataDir: used.relay.dataDir, target: target.db, blobs: lossy })).rejects.toThrow(
      /^The photo [0-9a-f]{64}(\.thumb)?\.jpg came back from the photo store different from what was written\./,
    );
    expect((await postgresCounts(target.db)).residents).toBe(0);
  }, 60_000);
});

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** `pnpm letterbox migrate …` as an operator runs it. */
function runCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
    cwd: serverDir,
    env: { ...process.env, DATABASE_URL: "", S3_BUCKET: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  onTestFinished(() => {
    child.kill("SIGKILL");
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once("exit", (code) => resolve({ code, stdout, stderr })),
  );
}

describe("pnpm letterbox migrate", () => {
  it("copies the data folder, says what it did and what to do next, and refuses to run twice", async () => {
    const used = await usedRelay();
    await stop(used.relay);
    const target = await emptyPostgres();
    const bucket = await s3.createBucket();
    const env = {
      DATA_DIR: used.relay.dataDir,
      S3_BUCKET: bucket,
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };

    const run = await runCli(["migrate", "--to", target.url], env);
    expect(run.code).toBe(0);
    // How far it has got goes to standard error, so that the summary on standard output stays clean.
    const progress = run.stderr.trimEnd().split("\n");
    expect(progress[0]).toBe("Copied 2 of 2 photo files.");
    expect(progress).toContain("Copied messages (2 rows).");
    expect(progress).toHaveLength(22);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^Copied ${used.relay.dbFile} to ${target.url} in \\d+\\.\\d s\\.$`));
    expect(lines).toContain("  messages            2");
    expect(lines).toContainEqual(expect.stringMatching(/^21 tables, \d+ rows, each table's count checked against the source\.$/));
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^Copied 2 photo files \\(0\\.\\d MB\\) to s3://${bucket}/ at ${s3.endpoint}, each read back and checked \\(SHA-256\\)\\.$`,
        ),
      ),
    );
    expect(lines.at(-1)).toBe(
      `Next: start the relay, as many as you need, with DATABASE_URL=${target.url} and S3_BUCKET=${bucket}, with the same S3_* settings and credentials as this command had.`,
    );
    expect((await postgresCounts(target.db)).messages).toBe(2);
    expect(await s3.keys(bucket)).toHaveLength(2);

    const again = await runCli(["migrate"], { ...env, DATABASE_URL: target.url });
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr).toMatch(/^The target database already holds Letterbox records \(in .*\)\. .* Nothing was written\.\n$/);
  }, 120_000);

  it("says where photos stay when S3_BUCKET is not set, and asks for a target when none is given", async () => {
    const used = await usedRelay();
    await stop(used.relay);
    const target = await emptyPostgres();

    const [none, run] = await Promise.all([
      runCli(["migrate"], { DATA_DIR: used.relay.dataDir }),
      runCli(["migrate", "--to", target.url], { DATA_DIR: used.relay.dataDir }),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      "Say which database to copy into: pnpm letterbox migrate --to postgres://letterbox@db.council.internal/letterbox (or set DATABASE_URL).\n",
    );

    expect(run.code).toBe(0);
    const photos = path.join(used.relay.dataDir, "photos");
    const photoBytes = fs
      .readdirSync(photos, { recursive: true })
      .map((f) => path.join(photos, String(f)))
      .filter((f) => f.endsWith(".jpg"))
      .reduce((sum, f) => sum + fs.statSync(f).size, 0);
    expect(run.stdout).toContain(
      `Photos stay in ${photos} (2 files, ${(photoBytes / 1e6).toFixed(1)} MB): S3_BUCKET is not set. Every relay must use that folder.`,
    );
    expect(run.stdout).toContain(
      `Next: start the relay with DATABASE_URL=${target.url} and the same DATA_DIR (${used.relay.dataDir})`,
    );
  }, 120_000);
});
