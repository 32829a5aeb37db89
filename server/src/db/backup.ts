import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { type Kysely, sql } from "kysely";
import { z } from "zod";
import type { PhotoStore } from "../images/photo-store";
import { allMigrations } from "./migrations";
import type { Database } from "./schema";
import { DATABASE_FILE } from "./sqlite";

/** A backup or restore that cannot go ahead; the message says what to do, for whoever runs the relay. */
export class BackupError extends Error {
  override name = "BackupError";
}

/**
 * Copies the data folder's database to `target` while the relay may be running: SQLite's online
 * backup reads a consistent copy page by page, and starts again if the relay writes meanwhile.
 *
 * The copy gets a log identity of its own. A copy is a different log from the moment the relay
 * appends after it; with its own identity, even a copy put back by hand (not with `restore`) makes
 * every tablet read the log again from the start instead of waiting for sequence numbers it has
 * already seen.
 */
export async function backupDatabase(dataDir: string, target: string): Promise<{ file: string; logId: string | null }> {
  const source = path.join(dataDir, DATABASE_FILE);
  if (!fs.existsSync(source)) throw new BackupError(`There is no Letterbox database in ${dataDir} to back up.`);
  if (fs.existsSync(target)) throw new BackupError(`${target} already exists. Choose a new file name for the backup.`);
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  const db = new SQLite(source, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    await db.backup(partial);
  } finally {
    db.close();
  }
  try {
    const logId = renewLogIdentity(partial);
    secureAndPlace(partial, target);
    return { file: target, logId };
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
}

/**
 * Makes `backup` the data folder's database. The relay must be stopped. The database it replaces
 * is kept beside it (`letterbox.sqlite.before-restore-…`), in case the wrong backup was chosen.
 * The restored database gets a new log identity, so that restoring the same backup twice still
 * counts as two different logs to the tablets.
 */
export async function restoreDatabase(
  dataDir: string,
  backup: string,
  now: Date = new Date(),
): Promise<{ logId: string | null; previous: string | null }> {
  checkIsLetterboxBackup(backup);
  const current = path.join(dataDir, DATABASE_FILE);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let previous: string | null = null;
  if (fs.existsSync(current)) {
    closeForRestore(current);
    previous = `${current}.before-restore-${now.toISOString().replace(/[:.]/g, "-")}`;
    fs.renameSync(current, previous);
    fs.chmodSync(previous, 0o600);
  }
  // A write-ahead log left beside the name would be replayed into the restored file.
  for (const sidecar of ["-wal", "-shm", "-journal"]) fs.rmSync(`${current}${sidecar}`, { force: true });

  const incoming = `${current}.restoring`;
  for (const leftover of ["", "-wal", "-shm", "-journal"]) fs.rmSync(`${incoming}${leftover}`, { force: true });
  const source = new SQLite(backup, { readonly: true, fileMustExist: true });
  try {
    await source.backup(incoming);
  } finally {
    source.close();
  }
  const logId = renewLogIdentity(incoming);
  secureAndPlace(incoming, current);
  return { logId, previous };
}

function checkIsLetterboxBackup(file: string) {
  if (!fs.existsSync(file)) throw new BackupError(`There is no file ${file}.`);
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch {
    throw new BackupError(`${file} is not a Letterbox backup (it is not a database).`);
  }
  try {
    let tables: string[];
    try {
      tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    } catch {
      throw new BackupError(`${file} is not a Letterbox backup (it is not a database).`);
    }
    if (!tables.includes("residents") || !tables.includes("kysely_migration")) {
      throw new BackupError(`${file} is not a Letterbox backup.`);
    }
    if (db.pragma("quick_check", { simple: true }) !== "ok") {
      throw new BackupError(`${file} is damaged (SQLite's check failed). Choose another backup.`);
    }
    const ran = db.prepare("SELECT name FROM kysely_migration").pluck().all() as string[];
    const unknown = ran.filter((name) => !(name in allMigrations));
    if (unknown.length > 0) {
      throw new BackupError(`${file} was made by a newer Letterbox (${unknown.join(", ")}). Upgrade this relay first.`);
    }
  } finally {
    db.close();
  }
}

/**
 * Refuses while the relay has the database open, then folds the write-ahead log into the file,
 * which can then be moved as one.
 */
function closeForRestore(file: string) {
  const db = lockStoppedDatabase(file, "The relay is running (its database is in use). Stop it, then restore.");
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

/**
 * Opens the database only if no relay has it open, and keeps every other connection out until it
 * is closed: in WAL mode every open connection holds a shared lock, so an exclusive one cannot be
 * had while the relay runs. `refusal` is the sentence the BackupError carries when it is in use.
 */
export function lockStoppedDatabase(file: string, refusal: string): SQLite.Database {
  const db = new SQLite(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("ROLLBACK");
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code?.startsWith("SQLITE_BUSY")) throw new BackupError(refusal);
    throw err;
  }
  return db;
}

/**
 * Gives the file a new log identity, and leaves it with no write-ahead log beside it, so that it is
 * one file to keep or move (the relay turns WAL on again when it opens it). A database from before
 * log identities has none yet (null): the migration that adds one makes it when the relay opens it.
 */
function renewLogIdentity(file: string): string | null {
  const db = new SQLite(file, { fileMustExist: true });
  try {
    db.pragma("journal_mode = DELETE");
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'log_identity'").get();
    if (!hasTable) return null;
    const logId = randomUUID();
    db.prepare("UPDATE log_identity SET log_id = ? WHERE id = 1").run(logId);
    return logId;
  } finally {
    db.close();
  }
}

/** The file holds message text and password hashes: readable by its owner only, and in place whole or not at all. */
function secureAndPlace(from: string, to: string) {
  fs.chmodSync(from, 0o600);
  const fd = fs.openSync(from, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(from, to);
  const dir = fs.openSync(path.dirname(to), "r");
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}

// Backup folders ------------------------------------------------------------------------------

export const MANIFEST_FILE = "manifest.json";
const PHOTOS = "photos";
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * What a backup folder holds, written last: a folder without it was never finished. Every other
 * file in the folder is listed with its SHA-256, so a restore can tell a backup that is whole from
 * one that lost, gained or changed a file since.
 */
export const backupManifestSchema = z.object({
  format: z.literal("letterbox-backup"),
  version: z.literal(1),
  createdAt: z.iso.datetime(),
  /**
   * Where the records are: `sqlite`, the database file in the folder; `postgres`, in PostgreSQL,
   * backed up with pg_dump, so the folder holds the photos only.
   */
  records: z.enum(["sqlite", "postgres"]),
  /**
   * The copy's own log identity (see backupDatabase); a restore gives the restored relay another.
   * For `postgres`, the live database's when the photos were listed.
   */
  logId: z.string().nullable(),
  /** Rows per table in the copy (for `postgres`, in the live database when the photos were listed). */
  tables: z.record(z.string(), z.number().int().nonnegative()),
  /** Photos the copy names that the photo store no longer had when they were read (taken back meanwhile). */
  photosMissing: z.array(sha256Schema),
  /** Every file but the manifest, by its path in the folder (forward slashes). */
  files: z.record(z.string(), z.object({ sha256: sha256Schema, bytes: z.number().int().nonnegative() })),
});
export type BackupManifest = z.infer<typeof backupManifestSchema>;

const photoFiles = (id: string) => ({
  display: `${PHOTOS}/${id.slice(0, 2)}/${id}.jpg`,
  thumb: `${PHOTOS}/${id.slice(0, 2)}/${id}.thumb.jpg`,
});
const PHOTO_FILE = /^photos\/([0-9a-f]{2})\/(\1[0-9a-f]{62})\.jpg$/;

/**
 * An online backup into a new folder: the database (SQLite's online backup, as backupDatabase),
 * then every photo that copy names, read through the photo store (the data folder's, or the S3
 * bucket), then `manifest.json`. Photos are taken from the copy rather than from a listing of the
 * store, so the folder holds exactly the photos of the records in it: one uploaded after the copy
 * was made is not there, and neither is anything that is not a photo. The folder is made under a
 * `.partial` name and renamed when whole.
 */
export async function backupToFolder(opts: {
  dataDir: string;
  target: string;
  photos: PhotoStore;
  now?: () => Date;
}): Promise<BackupManifest> {
  return writeBackupFolder(opts, "sqlite", async (partial) => {
    const { logId } = await backupDatabase(opts.dataDir, path.join(partial, DATABASE_FILE));
    return { logId, ...readCopy(path.join(partial, DATABASE_FILE)) };
  });
}

/**
 * With the records in PostgreSQL, pg_dump backs them up; this backs up the photos beside it, with
 * the same manifest. The photos and counts are read in one snapshot of the live database. Photos
 * never change once written and the relay removes one only when no record names it, so a folder
 * made after pg_dump has every photo that dump names.
 */
export async function backupPhotosToFolder(opts: {
  db: Kysely<Database>;
  target: string;
  photos: PhotoStore;
  now?: () => Date;
}): Promise<BackupManifest> {
  return writeBackupFolder(opts, "postgres", () =>
    opts.db
      .transaction()
      .setIsolationLevel("repeatable read")
      .execute(async (trx) => {
        const names = (
          await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`.execute(trx)
        ).rows.map((r) => r.name);
        const tables: Record<string, number> = {};
        for (const name of names) {
          const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(name)}`.execute(trx);
          tables[name] = rows[0]?.n ?? 0;
        }
        const photoIds = (
          await sql<{
            id: string;
          }>`SELECT photo_id AS id FROM message_photos UNION SELECT photo_id FROM photo_uploads ORDER BY 1`.execute(trx)
        ).rows.map((r) => r.id);
        const logId = (await trx.selectFrom("log_identity").select("log_id").executeTakeFirst())?.log_id ?? null;
        return { logId, tables, photoIds };
      }),
  );
}

/**
 * Makes the folder under a `.partial` name: the records (`copy`), every photo they name, read
 * through the photo store, and the manifest, then renames it. A photo is taken from the records
 * rather than from a listing of the store, so the folder holds exactly the photos of the records.
 */
async function writeBackupFolder(
  opts: { target: string; photos: PhotoStore; now?: () => Date },
  records: BackupManifest["records"],
  copy: (partial: string) => Promise<{ logId: string | null; tables: Record<string, number>; photoIds: string[] }>,
): Promise<BackupManifest> {
  const { target } = opts;
  if (fs.existsSync(target) && (!fs.statSync(target).isDirectory() || fs.readdirSync(target).length > 0)) {
    throw new BackupError(`${target} already exists. Choose a new folder name for the backup.`);
  }
  const partial = `${target}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true, mode: 0o700 });
  try {
    const { logId, tables, photoIds } = await copy(partial);
    const photosMissing: string[] = [];
    for (const id of photoIds) {
      const [display, thumb] = await Promise.all([opts.photos.display(id), opts.photos.thumb(id)]);
      if (!display || !thumb) {
        photosMissing.push(id);
        continue;
      }
      const names = photoFiles(id);
      writePrivate(path.join(partial, names.thumb), thumb);
      writePrivate(path.join(partial, names.display), display);
    }
    const files: BackupManifest["files"] = {};
    for (const name of filesIn(partial)) files[name] = await hashFile(path.join(partial, name));
    const manifest: BackupManifest = {
      format: "letterbox-backup",
      version: 1,
      createdAt: (opts.now?.() ?? new Date()).toISOString(),
      records,
      logId,
      tables,
      photosMissing,
      files,
    };
    writePrivate(path.join(partial, MANIFEST_FILE), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    if (fs.existsSync(target)) fs.rmdirSync(target);
    fs.renameSync(partial, target);
    syncDirectory(path.dirname(target));
    return manifest;
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Checks a backup folder against its manifest before anything is written: every listed file is
 * there with its SHA-256, and nothing else is. Returns the manifest.
 */
export async function checkBackupFolder(folder: string): Promise<BackupManifest> {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) throw new BackupError(`There is no backup folder ${folder}.`);
  const manifestFile = path.join(folder, MANIFEST_FILE);
  if (!fs.existsSync(manifestFile)) {
    throw new BackupError(`${folder} has no ${MANIFEST_FILE}, so it is not a finished Letterbox backup.`);
  }
  let manifest: BackupManifest;
  try {
    manifest = backupManifestSchema.parse(JSON.parse(fs.readFileSync(manifestFile, "utf8")));
  } catch {
    throw new BackupError(`${manifestFile} is damaged or from a newer Letterbox, so the backup cannot be checked.`);
  }
  if ((manifest.records === "sqlite") !== DATABASE_FILE in manifest.files) {
    throw new BackupError(`${manifestFile} does not match the backup it describes, so the backup cannot be checked.`);
  }
  const present = new Set(filesIn(folder).filter((name) => name !== MANIFEST_FILE));
  for (const [name, expected] of Object.entries(manifest.files)) {
    if (!present.has(name)) throw new BackupError(`The backup in ${folder} is missing ${name}, so it cannot be restored.`);
    const actual = await hashFile(path.join(folder, name));
    if (actual.sha256 !== expected.sha256 || actual.bytes !== expected.bytes) {
      throw new BackupError(
        `${name} in ${folder} has changed since the backup was made (its SHA-256 does not match the manifest).`,
      );
    }
    present.delete(name);
  }
  const [extra] = present;
  if (extra !== undefined)
    throw new BackupError(`${folder} holds ${extra}, which its manifest does not list, so it is not the backup as made.`);
  return manifest;
}

/**
 * Restores a checked backup folder into an empty data folder: the photos into the photo store
 * first (each checked to be the photo its name says), the database last, so that a restore cut
 * short leaves no database that looks whole. The restored database gets a new log identity
 * (restoreDatabase), so every tablet reads its resident's log again from the start.
 */
export async function restoreFromFolder(opts: {
  dataDir: string;
  source: string;
  photos: PhotoStore;
}): Promise<{ manifest: BackupManifest; logId: string | null; photos: number }> {
  const manifest = await checkBackupFolder(opts.source);
  if (manifest.records === "postgres") {
    throw new BackupError(
      `${opts.source} holds photos only (the records were in PostgreSQL): restore it with DATABASE_URL set, after pg_restore.`,
    );
  }
  if (fs.existsSync(opts.dataDir) && fs.readdirSync(opts.dataDir).length > 0) {
    throw new BackupError(
      `The data folder ${opts.dataDir} is not empty; restore only into an empty one (set DATA_DIR to a new folder).`,
    );
  }
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const photos = await restorePhotos(opts.source, manifest, opts.photos);
  const { logId } = await restoreDatabase(opts.dataDir, path.join(opts.source, DATABASE_FILE));
  const { tables } = readCopy(path.join(opts.dataDir, DATABASE_FILE));
  if (JSON.stringify(tables) !== JSON.stringify(manifest.tables)) {
    throw new BackupError(
      `The restored database's row counts differ from the manifest's; do not start the relay on ${opts.dataDir}.`,
    );
  }
  return { manifest, logId, photos };
}

/** The photos of a backup with its records in PostgreSQL, into the photo store; the records come back with pg_restore. */
export async function restorePhotosFromFolder(opts: {
  source: string;
  photos: PhotoStore;
}): Promise<{ manifest: BackupManifest; photos: number }> {
  const manifest = await checkBackupFolder(opts.source);
  if (manifest.records !== "postgres") {
    throw new BackupError(`${opts.source} holds a SQLite database: restore it without DATABASE_URL, into an empty DATA_DIR.`);
  }
  return { manifest, photos: await restorePhotos(opts.source, manifest, opts.photos) };
}

/** Each photo through the photo store, which names it by its content: a photo that is not what its name says is refused. */
async function restorePhotos(source: string, manifest: BackupManifest, store: PhotoStore): Promise<number> {
  let photos = 0;
  for (const name of Object.keys(manifest.files)) {
    const id = PHOTO_FILE.exec(name)?.[2];
    if (id === undefined) continue;
    const display = fs.readFileSync(path.join(source, name));
    const thumb = fs.readFileSync(path.join(source, photoFiles(id).thumb));
    // Only the bytes are stored; the sizes are the message's, kept in the records.
    const saved = await store.save({
      display: { bytes: display, width: 0, height: 0 },
      thumb: { bytes: thumb, width: 0, height: 0 },
    });
    if (saved.id !== id) throw new BackupError(`${name} is not the photo its name says; the backup cannot be restored.`);
    photos++;
  }
  return photos;
}

/** Rows per table (by name), and every photo the records name: sent with a message, or uploaded and not yet sent. */
function readCopy(file: string): { tables: Record<string, number>; photoIds: string[] } {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const names = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    const tables: Record<string, number> = {};
    for (const name of names)
      tables[name] = db
        .prepare(`SELECT count(*) FROM "${name.replaceAll('"', '""')}"`)
        .pluck()
        .get() as number;
    const photoIds = db
      .prepare("SELECT photo_id FROM message_photos UNION SELECT photo_id FROM photo_uploads ORDER BY 1")
      .pluck()
      .all() as string[];
    return { tables, photoIds };
  } finally {
    db.close();
  }
}

/** Every regular file under `root`, by its path from there with forward slashes, sorted. */
function filesIn(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .sort();
}

async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).byteLength;
  }
  return { sha256: hash.digest("hex"), bytes };
}

function writePrivate(file: string, bytes: Uint8Array) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(file, "wx", 0o600);
  try {
    fs.writeFileSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function syncDirectory(dir: string) {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
