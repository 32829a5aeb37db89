import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { conversationSchema } from "@letterbox/shared";
import { describe, expect, it, onTestFinished } from "vitest";
import { photosFolder } from "../data-folder";
import { LocalBlobStore, PhotoStore } from "../images/photo-store";
import { type Engine, engines } from "../test-databases";
import {
  expectBody,
  firstStaff,
  type Relay,
  rowCounts,
  send,
  sendWithPhotos,
  startRelay,
  storedDisplayImage,
  sync,
  testJpeg,
  uploadPhoto,
} from "../test-support";
import {
  BackupError,
  type BackupManifest,
  backupDatabase,
  backupPhotosToFolder,
  backupToFolder,
  checkBackupFolder,
  MANIFEST_FILE,
  restoreDatabase,
  restoreFromFolder,
  restorePhotosFromFolder,
} from "./backup";

function backupFolder() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-backups-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A tablet as the sync contract asks it to behave: it keeps its cursor and the log identity it
 * came from, and reads again from the start when the identity changes or its cursor is beyond the
 * relay's head. It keeps every message it has (by id), as the real one does.
 */
class ContractTablet {
  cursor = 0;
  logId: string | null = null;
  readonly messages = new Map<string, string>();

  constructor(readonly deviceToken: string) {}

  async catchUp(relay: Relay) {
    for (;;) {
      const page = await sync(relay, this.deviceToken, `?after=${this.cursor}`);
      if ((this.logId !== null && page.logId !== this.logId) || this.cursor > page.head) {
        this.logId = page.logId;
        this.cursor = 0;
        continue;
      }
      this.logId = page.logId;
      for (const e of page.entries) if (e.kind === "message") this.messages.set(e.message.id, e.message.text);
      this.cursor = page.cursor;
      if (!page.hasMore) return;
    }
  }

  texts() {
    return [...this.messages.values()];
  }
}

describe("log identity", () => {
  it("is in every sync page with the resident's head, and in the family's conversation", async () => {
    const relay = await startRelay();
    const staff = await firstStaff(relay);
    const { familyToken, deviceToken } = await staff.household("Margaret");
    for (const text of ["one", "two", "three"]) await send(relay, familyToken, text);

    const first = await sync(relay, deviceToken, "?after=0&limit=1");
    expect(first).toMatchObject({ cursor: 1, head: 3, hasMore: true });
    expect(first.logId).toMatch(/^[0-9a-f-]{36}$/);
    const beyond = await sync(relay, deviceToken, "?after=7");
    expect(beyond).toMatchObject({ entries: [], cursor: 7, head: 3, logId: first.logId });

    const res = await relay.request("/api/family/conversation", { bearer: familyToken });
    expect((await expectBody(res, 200, conversationSchema)).logId).toBe(first.logId);
  });

  it("survives a restart and changes with a restore, so a tablet ahead of the backup still gets every new message", async () => {
    const before = await startRelay();
    const staff = await firstStaff(before);
    const { familyToken, deviceToken } = await staff.household("Margaret");
    const tablet = new ContractTablet(deviceToken);
    await send(before, familyToken, "before the backup 1");
    await send(before, familyToken, "before the backup 2");
    await tablet.catchUp(before);

    // Online: the relay is running while the copy is made.
    const file = path.join(backupFolder(), "letterbox-backup.sqlite");
    await backupDatabase(before.dataDir, file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await send(before, familyToken, "after the backup 1");
    await send(before, familyToken, "after the backup 2");
    await send(before, familyToken, "after the backup 3");
    await tablet.catchUp(before);
    expect(tablet.cursor).toBe(5);
    const oldLogId = tablet.logId;

    await before.db.destroy();
    const restored = await restoreDatabase(before.dataDir, file);
    expect(restored.previous).not.toBeNull();
    expect(fs.existsSync(restored.previous ?? "")).toBe(true);

    const after = await startRelay({ dataDir: before.dataDir });
    // Up to the restored head plus one more: with no identity the tablet would ask for "after 5",
    // and the first new messages would be skipped for good.
    const fresh = ["after the restore 1", "after the restore 2", "after the restore 3", "after the restore 4"];
    for (const text of fresh) await send(after, familyToken, text);
    const page = await sync(after, deviceToken, "?after=0");
    expect(page.logId).not.toBe(oldLogId);
    expect(page.head).toBe(6);
    const res = await after.request("/api/family/conversation", { bearer: familyToken });
    expect((await expectBody(res, 200, conversationSchema)).logId).toBe(page.logId);

    await tablet.catchUp(after);
    expect(tablet.texts()).toEqual([
      "before the backup 1",
      "before the backup 2",
      "after the backup 1",
      "after the backup 2",
      "after the backup 3",
      ...fresh,
    ]);
    expect(tablet.cursor).toBe(6);

    // A restart keeps the identity: only a restore (or a backup copy) changes it.
    await after.db.destroy();
    const again = await startRelay({ dataDir: before.dataDir });
    expect((await sync(again, deviceToken, "?after=6")).logId).toBe(page.logId);
  });

  it("differs between the live database, its backup and each restore of that backup", async () => {
    const relay = await startRelay();
    const staff = await firstStaff(relay);
    const { deviceToken } = await staff.household("Margaret");
    const live = (await sync(relay, deviceToken)).logId;
    const file = path.join(backupFolder(), "copy.sqlite");
    const { logId: copy } = await backupDatabase(relay.dataDir, file);
    await relay.db.destroy();
    const { logId: first } = await restoreDatabase(relay.dataDir, file);
    const { logId: second } = await restoreDatabase(relay.dataDir, file);
    expect(new Set([live, copy, first, second]).size).toBe(4);
    const reopened = await startRelay({ dataDir: relay.dataDir });
    expect((await sync(reopened, deviceToken)).logId).toBe(second);
  });
});

describe("backup and restore refuse", () => {
  it("to overwrite a file, to restore under a running relay, or to restore what is not a Letterbox backup", async () => {
    const relay = await startRelay();
    const dir = backupFolder();
    const file = path.join(dir, "copy.sqlite");
    await backupDatabase(relay.dataDir, file);
    await expect(backupDatabase(relay.dataDir, file)).rejects.toThrow(/already exists/);

    await expect(restoreDatabase(relay.dataDir, file)).rejects.toThrow(/The relay is running/);

    const notABackup = path.join(dir, "notes.txt");
    fs.writeFileSync(notABackup, "not a database at all, but long enough to look like a file of some sort");
    await expect(restoreDatabase(relay.dataDir, notABackup)).rejects.toBeInstanceOf(BackupError);
    await expect(restoreDatabase(relay.dataDir, path.join(dir, "missing.sqlite"))).rejects.toThrow(/There is no file/);
    // Still the relay's own database, untouched by the refusals.
    expect(fs.readdirSync(relay.dataDir).filter((f) => f.includes("before-restore"))).toEqual([]);
  });
});

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const photoStoreIn = (dataDir: string) => new PhotoStore(new LocalBlobStore(photosFolder(dataDir)));

/** A relay with a household, two messages with photos and one photo uploaded but not sent yet. */
async function householdWithPhotos(engine?: Engine) {
  const relay = await startRelay({ engine });
  const staff = await firstStaff(relay);
  const { familyToken, deviceToken } = await staff.household("Margaret");
  const sent = [
    await uploadPhoto(relay, familyToken, await testJpeg(1)),
    await uploadPhoto(relay, familyToken, await testJpeg(2)),
  ];
  await sendWithPhotos(relay, familyToken, "before the backup 1", [{ id: sent[0] as string }]);
  await sendWithPhotos(relay, familyToken, "before the backup 2", [{ id: sent[1] as string, caption: "The garden" }]);
  const unsent = await uploadPhoto(relay, familyToken, await testJpeg(3));
  return { relay, familyToken, deviceToken, photoIds: [...sent, unsent] };
}

describe("backup folders", () => {
  it("are taken while the relay writes, restore into an empty folder whole, and tablets ahead of them catch up", async () => {
    const { relay: before, familyToken, deviceToken, photoIds } = await householdWithPhotos();
    const tablet = new ContractTablet(deviceToken);
    await tablet.catchUp(before);
    const backupHead = (await sync(before, deviceToken)).head;

    // Messages and a photo go on arriving while the backup is made.
    const target = path.join(backupFolder(), "nightly");
    const during = (async () => {
      for (let i = 1; i <= 5; i++) await send(before, familyToken, `during the backup ${i}`);
      return uploadPhoto(before, familyToken, await testJpeg(4));
    })();
    const [manifest, lateUpload] = await Promise.all([
      backupToFolder({ dataDir: before.dataDir, target, photos: before.deps.photos }),
      during,
    ]);
    expect(fs.existsSync(`${target}.partial`)).toBe(false);
    expect(manifest).toMatchObject({ format: "letterbox-backup", version: 1, photosMissing: [] });
    expect(manifest.logId).not.toBe((await sync(before, deviceToken)).logId);
    expect(manifest.tables.log_entries).toBeGreaterThanOrEqual(backupHead);

    // Every photo the copy names, as the relay stores it, and each file's SHA-256 as it is on disk.
    for (const id of photoIds) {
      const display = `photos/${id.slice(0, 2)}/${id}.jpg`;
      expect(manifest.files[display]?.sha256).toBe(sha256(storedDisplayImage(before, id)));
      expect(manifest.files[display]?.sha256).toBe(id);
      expect(manifest.files[`photos/${id.slice(0, 2)}/${id}.thumb.jpg`]).toBeDefined();
    }
    for (const [name, { sha256: hash }] of Object.entries(manifest.files)) {
      expect(sha256(fs.readFileSync(path.join(target, name))), name).toBe(hash);
    }
    expect(fs.statSync(path.join(target, MANIFEST_FILE)).mode & 0o777).toBe(0o600);

    // The tablet goes on past the backup.
    for (let i = 1; i <= 3; i++) await send(before, familyToken, `after the backup ${i}`);
    await tablet.catchUp(before);
    const oldLogId = tablet.logId;
    await before.db.destroy();

    const dataDir = path.join(backupFolder(), "restored");
    const restored = await restoreFromFolder({ dataDir, source: target, photos: photoStoreIn(dataDir) });
    expect(restored.photos).toBe(Object.keys(manifest.files).filter((f) => f.endsWith(".thumb.jpg")).length);
    const after = await startRelay({ dataDir });
    const counts: Record<string, number> = await rowCounts(after);
    for (const [table, rows] of Object.entries(manifest.tables)) if (table in counts) expect(counts[table], table).toBe(rows);
    for (const name of Object.keys(manifest.files).filter((f) => f.startsWith("photos/"))) {
      expect(sha256(fs.readFileSync(path.join(photosFolder(dataDir), name.slice("photos/".length)))), name).toBe(
        manifest.files[name]?.sha256,
      );
    }
    // The photo uploaded after the copy was made is not in it; the ones before are served again.
    expect(manifest.files[`photos/${lateUpload.slice(0, 2)}/${lateUpload}.jpg`]).toBeUndefined();
    const photo = await after.request(`/api/tablet/photos/${photoIds[0]}`, { bearer: deviceToken });
    expect(sha256(Buffer.from(await photo.arrayBuffer()))).toBe(photoIds[0]);

    // Past the restored head, the tablet would skip these without a new log identity.
    const page = await sync(after, deviceToken, "?after=0");
    expect(page.logId).not.toBe(oldLogId);
    expect(page.logId).not.toBe(manifest.logId);
    expect(tablet.cursor).toBeGreaterThan(page.head);
    const fresh = Array.from({ length: tablet.cursor - page.head + 2 }, (_, i) => `after the restore ${i + 1}`);
    for (const text of fresh) await send(after, familyToken, text);
    await tablet.catchUp(after);
    expect(tablet.texts()).toEqual(
      expect.arrayContaining(["before the backup 1", "before the backup 2", "after the backup 3", ...fresh]),
    );
    expect(tablet.cursor).toBe(page.head + fresh.length);
  });

  it("are checked against the manifest before anything is restored", async () => {
    const { relay } = await householdWithPhotos();
    const dir = backupFolder();
    const good = path.join(dir, "good");
    const manifest = await backupToFolder({ dataDir: relay.dataDir, target: good, photos: relay.deps.photos });
    await expect(backupToFolder({ dataDir: relay.dataDir, target: good, photos: relay.deps.photos })).rejects.toThrow(
      /already exists/,
    );

    const aPhoto = Object.keys(manifest.files).find((f) => f.endsWith(".thumb.jpg")) as string;
    const spoilt: [string, (folder: string) => void, RegExp][] = [
      ["missing", (f) => fs.rmSync(path.join(f, aPhoto)), /is missing photos\/.*\.thumb\.jpg, so it cannot be restored\.$/],
      ["changed", (f) => fs.appendFileSync(path.join(f, aPhoto), "x"), /has changed since the backup was made/],
      [
        "changed database",
        (f) => fs.writeFileSync(path.join(f, "letterbox.sqlite"), "not the database"),
        /letterbox\.sqlite in .* has changed/,
      ],
      [
        "extra",
        (f) => fs.writeFileSync(path.join(f, "photos", "notes.txt"), "hello"),
        /holds photos\/notes\.txt, which its manifest does not list/,
      ],
      [
        "unfinished",
        (f) => fs.rmSync(path.join(f, MANIFEST_FILE)),
        /has no manifest\.json, so it is not a finished Letterbox backup\.$/,
      ],
      ["damaged manifest", (f) => fs.writeFileSync(path.join(f, MANIFEST_FILE), "{"), /manifest\.json is damaged/],
    ];
    for (const [what, spoil, refusal] of spoilt) {
      const copy = path.join(dir, what);
      fs.cpSync(good, copy, { recursive: true });
      spoil(copy);
      const dataDir = path.join(dir, `into-${what}`);
      const refused = restoreFromFolder({ dataDir, source: copy, photos: photoStoreIn(dataDir) });
      await expect(refused, what).rejects.toBeInstanceOf(BackupError);
      await expect(refused, what).rejects.toThrow(refusal);
      expect(fs.existsSync(dataDir), what).toBe(false);
    }

    // Restoring needs an empty data folder: here, the running relay's.
    await expect(restoreFromFolder({ dataDir: relay.dataDir, source: good, photos: relay.deps.photos })).rejects.toThrow(
      /is not empty; restore only into an empty one/,
    );
    // The good one, twice over: each restore is a log of its own.
    const first = await restoreFromFolder({
      dataDir: path.join(dir, "first"),
      source: good,
      photos: photoStoreIn(path.join(dir, "first")),
    });
    await checkBackupFolder(good);
    const second = await restoreFromFolder({
      dataDir: path.join(dir, "second"),
      source: good,
      photos: photoStoreIn(path.join(dir, "second")),
    });
    expect(new Set([manifest.logId, first.logId, second.logId]).size).toBe(3);
  });

  it("are made and restored by the command line, which refuses a spoilt one with one sentence", async () => {
    const { relay } = await householdWithPhotos();
    const dir = backupFolder();
    const run = (args: string[], dataDir: string) =>
      spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
        cwd: path.resolve(import.meta.dirname, "../.."),
        env: { ...process.env, DATA_DIR: dataDir, INIT_CWD: dir, DATABASE_URL: "", S3_BUCKET: "" },
        encoding: "utf8",
      });
    const made = run(["backup", "nightly"], relay.dataDir);
    expect(made.stderr).toBe("");
    expect(made.stdout).toMatch(/^Backed up the database and 3 photos to .*nightly/);
    expect(made.status).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "nightly", MANIFEST_FILE), "utf8")) as BackupManifest;
    expect(Object.keys(manifest.files).length).toBe(7);

    fs.cpSync(path.join(dir, "nightly"), path.join(dir, "spoilt"), { recursive: true });
    fs.appendFileSync(path.join(dir, "spoilt", Object.keys(manifest.files)[1] as string), "x");
    const refused = run(["restore", "spoilt"], path.join(dir, "new-data"));
    expect(refused.status).not.toBe(0);
    expect(refused.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^photos\/.* has changed since the backup was made/),
    ]);

    const restored = run(["restore", "nightly"], path.join(dir, "new-data"));
    expect(restored.stderr).toBe("");
    expect(restored.status).toBe(0);
    expect(fs.existsSync(path.join(dir, "new-data", "letterbox.sqlite"))).toBe(true);
  }, 90_000);
});

describe("a backup folder with the records in PostgreSQL", () => {
  it("holds the photos the records name, counted in one snapshot; its restore puts back the photos only", async () => {
    const postgres = engines.find((e) => e.name === "postgres") as Engine;
    const { relay, deviceToken, photoIds } = await householdWithPhotos(postgres);
    const dir = backupFolder();
    const target = path.join(dir, "photos-nightly");
    const manifest = await backupPhotosToFolder({ db: relay.db, target, photos: relay.deps.photos });
    expect(manifest).toMatchObject({ records: "postgres", logId: (await sync(relay, deviceToken)).logId, photosMissing: [] });
    expect(Object.keys(manifest.files).sort()).toEqual(
      photoIds.flatMap((id) => [`photos/${id.slice(0, 2)}/${id}.jpg`, `photos/${id.slice(0, 2)}/${id}.thumb.jpg`]).sort(),
    );
    const counts: Record<string, number> = await rowCounts(relay);
    for (const [table, rows] of Object.entries(counts)) expect(manifest.tables[table], table).toBe(rows);

    const dataDir = path.join(dir, "data");
    await expect(restoreFromFolder({ dataDir, source: target, photos: photoStoreIn(dataDir) })).rejects.toThrow(
      /holds photos only/,
    );
    const { photos } = await restorePhotosFromFolder({ source: target, photos: photoStoreIn(dataDir) });
    expect(photos).toBe(photoIds.length);
    for (const id of photoIds) expect(sha256(storedDisplayImage({ dataDir }, id))).toBe(id);

    fs.appendFileSync(path.join(target, Object.keys(manifest.files)[0] as string), "x");
    await expect(restorePhotosFromFolder({ source: target, photos: photoStoreIn(dataDir) })).rejects.toThrow(/has changed/);
  });
});
